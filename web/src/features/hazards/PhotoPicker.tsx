import { CameraOutlined, CloseOutlined, PictureOutlined } from '@ant-design/icons';
import { Button, Flex, Progress, Spin, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { compressPhoto } from './media.ts';

export interface PickedPhoto {
  key: string;
  blob: Blob;
  url: string;
}

let seq = 0;

/**
 * Camera first: the big button opens the rear camera (`capture=environment`); the second one the
 * gallery. Photos are compressed on the phone as soon as they are picked.
 */
export function PhotoPicker({
  value,
  onChange,
  max = 9,
  progress,
  testId,
  disabled,
}: {
  value: PickedPhoto[];
  onChange: (photos: PickedPhoto[]) => void;
  max?: number;
  /** Upload progress per photo key (0–100), while sending. */
  progress?: Record<string, number>;
  testId: string;
  disabled?: boolean;
}) {
  const { t } = useTranslation();
  const camera = useRef<HTMLInputElement>(null);
  const gallery = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const latest = useRef(value);
  latest.current = value;

  // Object URLs hold the image in memory until revoked.
  useEffect(() => () => latest.current.forEach((p) => URL.revokeObjectURL(p.url)), []);

  const add = async (files: FileList | null) => {
    if (!files || files.length === 0) return;
    setBusy(true);
    try {
      const room = Math.max(0, max - latest.current.length);
      const picked = Array.from(files).filter((f) => f.type.startsWith('image/') || f.type === '').slice(0, room);
      const out: PickedPhoto[] = [];
      for (const f of picked) {
        const blob = await compressPhoto(f);
        out.push({ key: `p${++seq}`, blob, url: URL.createObjectURL(blob) });
      }
      onChange([...latest.current, ...out]);
    } finally {
      setBusy(false);
      if (camera.current) camera.current.value = '';
      if (gallery.current) gallery.current.value = '';
    }
  };

  const remove = (key: string) => {
    const p = value.find((x) => x.key === key);
    if (p) URL.revokeObjectURL(p.url);
    onChange(value.filter((x) => x.key !== key));
  };

  const full = value.length >= max;
  return (
    <div data-testid={testId}>
      <input ref={camera} type="file" accept="image/*" capture="environment" multiple style={{ display: 'none' }} onChange={(e) => void add(e.target.files)} data-testid={`${testId}-camera`} />
      <input ref={gallery} type="file" accept="image/*" multiple style={{ display: 'none' }} onChange={(e) => void add(e.target.files)} data-testid={`${testId}-gallery`} />
      <Flex gap={8} wrap>
        <Button type="primary" size="large" icon={<CameraOutlined />} onClick={() => camera.current?.click()} disabled={disabled || full} style={{ flex: '1 1 160px', minHeight: 56 }}>
          {t('hazards.photos.take')}
        </Button>
        <Button size="large" icon={<PictureOutlined />} onClick={() => gallery.current?.click()} disabled={disabled || full} style={{ flex: '1 1 120px', minHeight: 56 }}>
          {t('hazards.photos.gallery')}
        </Button>
      </Flex>
      {busy ? (
        <Flex align="center" gap={8} style={{ marginTop: 8 }}>
          <Spin size="small" />
          <Typography.Text type="secondary">{t('hazards.photos.compressing')}</Typography.Text>
        </Flex>
      ) : null}
      {value.length > 0 ? (
        <div style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(96px, 1fr))', gap: 8, marginTop: 12 }}>
          {value.map((p, i) => {
            const pct = progress?.[p.key];
            return (
              <div key={p.key} style={{ position: 'relative', aspectRatio: '1', borderRadius: 8, overflow: 'hidden', background: '#f5f5f5' }} data-testid="picked-photo">
                <img src={p.url} alt={t('hazards.photos.nth', { n: i + 1 })} style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }} />
                {pct !== undefined ? (
                  <div style={{ position: 'absolute', insetInline: 6, bottom: 4 }}>
                    <Progress percent={pct} size="small" showInfo={false} status={pct >= 100 ? 'success' : 'active'} data-testid="photo-progress" />
                  </div>
                ) : null}
                {disabled ? null : (
                  <Button
                    shape="circle"
                    icon={<CloseOutlined />}
                    aria-label={t('hazards.photos.remove')}
                    onClick={() => remove(p.key)}
                    style={{ position: 'absolute', top: 4, insetInlineEnd: 4, width: 44, height: 44, background: 'rgba(0,0,0,0.55)', color: '#fff', border: 'none' }}
                  />
                )}
              </div>
            );
          })}
        </div>
      ) : null}
      <Typography.Text type="secondary" style={{ display: 'block', marginTop: 6 }}>
        {t('hazards.photos.count', { n: value.length, max })}
      </Typography.Text>
    </div>
  );
}
