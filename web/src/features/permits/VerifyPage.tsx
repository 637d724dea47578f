import { CameraOutlined, EnvironmentOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { uploadImage, usePermit, usePermitAction } from './api.ts';
import { PermitStatusTag } from './StatusTag.tsx';
import { usePermitError } from './usePermitError.ts';

/**
 * On-site verification on a phone: `/permits/:id/verify#<token>` (the token from the permit's QR stays
 * after `#`), the phone's position and a photo of the site; then the approved permit becomes active.
 */
export function VerifyPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const q = usePermit(id);
  const act = usePermitAction();
  const onError = usePermitError();
  const [token, setToken] = useState(() => window.location.hash.replace(/^#/, '').trim());
  const [pos, setPos] = useState<{ lat: number; lng: number; acc: number | null } | null>(null);
  const [manual, setManual] = useState('');
  const [photo, setPhoto] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);

  const locate = () =>
    navigator.geolocation.getCurrentPosition(
      (p) => setPos({ lat: p.coords.latitude, lng: p.coords.longitude, acc: p.coords.accuracy }),
      (e) => message.error(e.message),
      { enableHighAccuracy: true, timeout: 10_000 },
    );

  const position = pos ?? (/^\s*-?\d+(\.\d+)?\s*,\s*-?\d+(\.\d+)?\s*$/.test(manual) ? { lat: Number(manual.split(',')[0]), lng: Number(manual.split(',')[1]), acc: null } : null);

  const submit = async () => {
    if (!position || !photo || !token) return;
    setBusy(true);
    try {
      const photoFileId = await uploadImage(photo, photo.name || 'site.jpg');
      await act.mutateAsync({ id, path: 'verify', body: { token, lat: position.lat, lng: position.lng, accuracyM: position.acc, photoFileId } });
      message.success(t('permits.verify.done'));
      void navigate(`/permits/${id}`);
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex vertical gap={16} style={{ maxWidth: 560 }} data-testid="permit-verify-page">
      <PageHeader title={t('permits.verify.title')} />
      {q.data ? (
        <Card size="small">
          <Flex vertical gap={4}>
            <Flex gap={8} align="center">
              <Typography.Text strong>{q.data.number}</Typography.Text>
              <PermitStatusTag status={q.data.status} />
            </Flex>
            <Typography.Text>{`${q.data.typeName} · ${q.data.areaName ?? ''} ${q.data.location}`}</Typography.Text>
          </Flex>
        </Card>
      ) : null}
      <Typography.Paragraph type="secondary">{t('permits.verify.hint')}</Typography.Paragraph>
      <Input value={token} onChange={(e) => setToken(e.target.value.trim())} placeholder={t('permits.verify.noToken')} data-testid="verify-token" />
      <Flex gap={8} align="center" wrap>
        <Button icon={<EnvironmentOutlined />} onClick={locate} data-testid="verify-locate">
          {t('permits.verify.locate')}
        </Button>
        <Input style={{ maxWidth: 240 }} value={manual} onChange={(e) => setManual(e.target.value)} placeholder={t('permits.verify.latLng')} data-testid="verify-latlng" />
      </Flex>
      {pos ? <Typography.Text data-testid="verify-position">{t('permits.verify.located', { lat: pos.lat.toFixed(5), lng: pos.lng.toFixed(5), acc: Math.round(pos.acc ?? 0) })}</Typography.Text> : null}
      <label>
        <Flex gap={8} align="center">
          <CameraOutlined />
          <span>{t('permits.verify.photo')}</span>
          <input type="file" accept="image/*" capture="environment" data-testid="verify-photo" onChange={(e) => setPhoto(e.target.files?.[0] ?? null)} />
        </Flex>
      </label>
      <Button type="primary" size="large" disabled={!position || !photo || !token} loading={busy} onClick={() => void submit()} data-testid="verify-submit">
        {t('permits.verify.submit')}
      </Button>
    </Flex>
  );
}
