import { AimOutlined, AudioOutlined, CheckCircleOutlined, CloudSyncOutlined, SendOutlined, VideoCameraOutlined } from '@ant-design/icons';
import { Alert, Badge, Button, Card, Checkbox, Flex, Form, Input, Radio, Result, Select, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router';
import { isApiError } from '../../api/client.ts';
import { useSession } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { hazardLevels, reportHazard, uploadFile, useHazardConfig, useReportAreas, type HazardLevel, type ReportResponse } from './api.ts';
import { areaFromHash, parseAreaCode } from './areaCode.ts';
import { AreaScanner } from './AreaScanner.tsx';
import { AreaSelect } from './AreaSelect.tsx';
import { LevelTag, StatusTag, useLevelLabel } from './labels.tsx';
import { currentPosition, newIdempotencyKey, photoName, type GeoPoint } from './media.ts';
import { idbOutbox, newOutboxItem, sendItem, type OutboxStore, type ReportFields } from './outbox.ts';
import { OutboxPanel } from './OutboxPanel.tsx';
import { PhotoPicker, type PickedPhoto } from './PhotoPicker.tsx';
import { TrackingCode } from './TrackingCode.tsx';
import { refreshOutbox, useOutboxState } from './useOutbox.ts';

interface FormValues {
  title: string;
  description?: string;
  orgUnitId?: string;
  category?: string;
  level: HazardLevel;
  suggestedFix?: string;
  anonymous: boolean;
  fixOnSpot: boolean;
  rectifyNotes?: string;
}

type Outcome = { kind: 'sent'; hazard: ReportResponse } | { kind: 'queued' };

/** What the page says about an area that came from a QR code (scanned, or the #area= of the opened link). */
type AreaNote = { kind: 'picked'; name: string } | { kind: 'unknown' } | { kind: 'not_area' };

// During the first try the report lives in memory only; it reaches IndexedDB when that try fails.
const memoryStore: OutboxStore = { all: async () => [], put: async () => undefined, remove: async () => undefined };

/** Report a hazard: phone first, one hand, works without signal (the report is queued on the phone). */
export function ReportPage() {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const onError = useApiError();
  const config = useHazardConfig();
  const outbox = useOutboxState();
  const [form] = Form.useForm<FormValues>();
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [afterPhotos, setAfterPhotos] = useState<PickedPhoto[]>([]);
  const [video, setVideo] = useState<File | null>(null);
  const [voice, setVoice] = useState<File | null>(null);
  const [geo, setGeo] = useState<GeoPoint | null>(null);
  const [geoState, setGeoState] = useState<'idle' | 'busy' | 'failed'>('idle');
  const [progress, setProgress] = useState<Record<string, number>>({});
  const [sending, setSending] = useState(false);
  const [photoError, setPhotoError] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const fixOnSpot = Form.useWatch('fixOnSpot', form);
  const location = useLocation();
  const areas = useReportAreas();
  const [areaNote, setAreaNote] = useState<AreaNote | null>(null);
  // An area id waiting for the area list (the page was opened from a label before the tree loaded).
  const [wantedArea, setWantedArea] = useState<string | null>(null);

  // Opened from an area label (<PUBLIC_URL>/hazards/report#area=<id>): preselect that area.
  useEffect(() => {
    if (!/(^#|&)area=/.test(location.hash)) return;
    const id = areaFromHash(location.hash);
    if (id) setWantedArea(id);
    else {
      form.setFieldValue('orgUnitId', undefined);
      setAreaNote({ kind: 'unknown' });
    }
  }, [location.hash, form]);

  useEffect(() => {
    if (!wantedArea || !areas.data) return;
    const area = areas.data.find((a) => a.id === wantedArea);
    // Unknown here = another company's unit, a closed one, or a mistyped link: the reporter picks by hand.
    form.setFieldValue('orgUnitId', area?.id);
    setAreaNote(area ? { kind: 'picked', name: area.name } : { kind: 'unknown' });
    setWantedArea(null);
  }, [wantedArea, areas.data, form]);

  const onScanned = (text: string) => {
    const code = parseAreaCode(text);
    if (code.kind === 'area') setWantedArea(code.areaId);
    else setAreaNote({ kind: 'not_area' });
  };
  const videoInput = useRef<HTMLInputElement>(null);
  const voiceInput = useRef<HTMLInputElement>(null);

  const categories = (config.data?.categories ?? []).filter((c) => c.active);
  const levels = config.data?.levels ?? [];
  const levelFallback = useLevelLabel();
  const levelText = (l: HazardLevel) => {
    const d = levels.find((x) => x.code === l);
    return d ? (i18n.language === 'en' ? d.labelEn : d.labelZh) : levelFallback(l);
  };

  const locate = async () => {
    setGeoState('busy');
    try {
      setGeo(await currentPosition());
      setGeoState('idle');
    } catch {
      setGeoState('failed');
    }
  };

  const reset = () => {
    form.resetFields();
    setPhotos([]);
    setAfterPhotos([]);
    setVideo(null);
    setVoice(null);
    setGeo(null);
    setProgress({});
    setOutcome(null);
    setAreaNote(null);
  };

  const submit = async (v: FormValues) => {
    if (photos.length === 0 || (v.fixOnSpot && afterPhotos.length === 0)) {
      setPhotoError(true);
      return;
    }
    if (!v.orgUnitId || !v.category) return;
    const fields: ReportFields = {
      title: v.title.trim(),
      description: v.description?.trim() || null,
      orgUnitId: v.orgUnitId,
      category: v.category,
      level: v.level,
      location: geo,
      suggestedFix: v.suggestedFix?.trim() || null,
      anonymous: v.anonymous,
      fixOnSpot: v.fixOnSpot,
      ...(v.fixOnSpot ? { rectifyNotes: v.rectifyNotes?.trim() || null } : {}),
    };
    const item = newOutboxItem(newIdempotencyKey(), me.id, fields, {
      photos: photos.map((p) => p.blob),
      afterPhotos: v.fixOnSpot ? afterPhotos.map((p) => p.blob) : [],
      video,
      voice,
    });
    const queue = async () => {
      item.attempts = 0;
      await idbOutbox.put(item);
      await refreshOutbox(me.id);
      setOutcome({ kind: 'queued' });
    };
    if (!navigator.onLine) {
      await queue();
      return;
    }
    // Progress bars per picked photo: slot names follow the outbox's naming (photo-1.jpg, after-photo-1.jpg).
    const slotKey = new Map<string, string>();
    photos.forEach((p, i) => slotKey.set(photoName(i), p.key));
    afterPhotos.forEach((p, i) => slotKey.set(`after-${photoName(i)}`, p.key));
    setSending(true);
    try {
      const r = await sendItem(item, memoryStore, {
        upload: (blob, name) =>
          uploadFile(blob, name, (pct) => {
            const key = slotKey.get(name);
            if (key) setProgress((old) => ({ ...old, [key]: pct }));
          }, i18n.language),
        report: reportHazard,
      });
      if (r.kind === 'sent') setOutcome({ kind: 'sent', hazard: r.response });
      else if (r.kind === 'retry') await queue();
      else {
        setProgress({});
        onError(r.error, { form });
        if (isApiError(r.error) && r.error.errors.some((e) => e.field.startsWith('photoIds'))) setPhotoError(true);
      }
    } finally {
      setSending(false);
    }
  };

  if (outcome) return <ReportDone outcome={outcome} onAnother={reset} />;

  return (
    <div data-testid="hazard-report-page" style={{ maxWidth: 720 }}>
      <PageHeader
        title={t('hazards.report.title')}
        sub={t('hazards.report.subtitle')}
        extra={
          outbox.items.length > 0 ? (
            <Badge count={outbox.items.length}>
              <Button icon={<CloudSyncOutlined />} href="#outbox">
                {t('hazards.outbox.waiting', { count: outbox.items.length })}
              </Button>
            </Badge>
          ) : null
        }
      />
      {config.isError ? <QueryError error={config.error} onRetry={() => void config.refetch()} /> : null}
      <Form<FormValues>
        form={form}
        layout="vertical"
        requiredMark="optional"
        initialValues={{ level: 'general', anonymous: false, fixOnSpot: false, orgUnitId: me.orgUnit?.id }}
        onFinish={(v) => void submit(v)}
        disabled={sending}
        scrollToFirstError
      >
        <Card size="small" title={t('hazards.report.photos')} style={{ marginBottom: 12 }}>
          <PhotoPicker
            value={photos}
            onChange={(p) => {
              setPhotos(p);
              if (p.length > 0) setPhotoError(false);
            }}
            progress={progress}
            testId="report-photos"
            disabled={sending}
          />
          {photoError && photos.length === 0 ? <Alert type="error" showIcon title={t('hazards.report.photoRequired')} style={{ marginTop: 8 }} /> : null}
        </Card>

        <Card size="small" style={{ marginBottom: 12 }}>
          <Form.Item name="title" label={t('hazards.fields.title')} rules={[{ required: true, whitespace: true, message: t('validation.required') }, { max: 200 }]}>
            <Input placeholder={t('hazards.report.titlePlaceholder')} maxLength={200} data-testid="report-title" />
          </Form.Item>
          <Flex gap={8} align="flex-start">
            <Form.Item name="orgUnitId" label={t('hazards.fields.area')} rules={[{ required: true, message: t('validation.required') }]} style={{ flex: 1, minWidth: 0, marginBottom: areaNote ? 8 : undefined }}>
              <AreaSelect placeholder={t('hazards.report.areaPlaceholder')} testId="report-area" />
            </Form.Item>
            {/* Level with the picker: below the vertical form's label row. */}
            <div style={{ paddingTop: 30 }}>
              <AreaScanner onScanned={onScanned} disabled={sending} />
            </div>
          </Flex>
          {areaNote ? (
            <Alert
              type={areaNote.kind === 'picked' ? 'success' : 'warning'}
              showIcon
              closable
              onClose={() => setAreaNote(null)}
              title={areaNote.kind === 'picked' ? t('hazards.report.areaFromCode', { name: areaNote.name }) : areaNote.kind === 'unknown' ? t('hazards.report.areaUnknown') : t('hazards.report.scanNotArea')}
              style={{ marginBottom: 16 }}
              data-testid="report-area-note"
              data-kind={areaNote.kind}
            />
          ) : null}
          <Form.Item name="category" label={t('hazards.fields.category')} rules={[{ required: true, message: t('validation.required') }]}>
            <Select
              showSearch={{ optionFilterProp: 'label' }}
              loading={config.isLoading}
              placeholder={t('hazards.report.categoryPlaceholder')}
              options={categories.map((c) => ({ value: c.code, label: i18n.language === 'en' ? c.labelEn : c.labelZh }))}
              data-testid="report-category"
            />
          </Form.Item>
          <Form.Item name="level" label={t('hazards.fields.level')} rules={[{ required: true }]}>
            <Radio.Group optionType="button" buttonStyle="solid" style={{ display: 'flex', width: '100%' }} data-testid="report-level">
              {hazardLevels.map((l) => (
                <Radio.Button key={l} value={l} style={{ flex: 1, textAlign: 'center', height: 48, lineHeight: '46px' }}>
                  {levelText(l)}
                </Radio.Button>
              ))}
            </Radio.Group>
          </Form.Item>
          <Form.Item name="description" label={t('hazards.fields.description')} rules={[{ max: 4000 }]}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={4000} placeholder={t('hazards.report.descriptionPlaceholder')} data-testid="report-description" />
          </Form.Item>
          <Form.Item name="suggestedFix" label={t('hazards.fields.suggestedFix')} rules={[{ max: 2000 }]}>
            <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} data-testid="report-fix" />
          </Form.Item>
        </Card>

        <Card size="small" title={t('hazards.report.more')} style={{ marginBottom: 12 }}>
          <Flex vertical gap={12}>
            <Flex gap={8} wrap align="center">
              <Button icon={<AimOutlined />} onClick={() => void locate()} loading={geoState === 'busy'} data-testid="report-locate">
                {geo ? t('hazards.report.relocate') : t('hazards.report.locate')}
              </Button>
              {geo ? (
                <Typography.Text data-testid="report-location">
                  {t('hazards.report.position', { lat: geo.lat.toFixed(5), lng: geo.lng.toFixed(5), acc: geo.accuracy ?? '?' })}
                </Typography.Text>
              ) : geoState === 'failed' ? (
                <Typography.Text type="warning">{t('hazards.report.locateFailed')}</Typography.Text>
              ) : (
                <Typography.Text type="secondary">{t('hazards.report.locateHint')}</Typography.Text>
              )}
            </Flex>
            <input ref={videoInput} type="file" accept="video/*" capture="environment" style={{ display: 'none' }} onChange={(e) => setVideo(e.target.files?.[0] ?? null)} data-testid="report-video-input" />
            <input ref={voiceInput} type="file" accept="audio/*" capture style={{ display: 'none' }} onChange={(e) => setVoice(e.target.files?.[0] ?? null)} data-testid="report-voice-input" />
            <Flex gap={8} wrap>
              <Button icon={<VideoCameraOutlined />} onClick={() => videoInput.current?.click()} style={{ flex: '1 1 140px' }}>
                {video ? t('hazards.report.videoPicked', { mb: (video.size / 1048576).toFixed(1) }) : t('hazards.report.video')}
              </Button>
              <Button icon={<AudioOutlined />} onClick={() => voiceInput.current?.click()} style={{ flex: '1 1 140px' }}>
                {voice ? t('hazards.report.voicePicked', { mb: (voice.size / 1048576).toFixed(1) }) : t('hazards.report.voice')}
              </Button>
            </Flex>
            {video || voice ? (
              <Button type="link" onClick={() => (setVideo(null), setVoice(null))} style={{ alignSelf: 'flex-start', paddingInline: 0 }}>
                {t('hazards.report.clearMedia')}
              </Button>
            ) : null}
          </Flex>
        </Card>

        <Card size="small" style={{ marginBottom: 12 }}>
          <Form.Item name="anonymous" valuePropName="checked" style={{ marginBottom: 8 }} extra={t('hazards.report.anonymousHint')}>
            <Checkbox data-testid="report-anonymous" style={{ minHeight: 44, alignItems: 'center' }}>
              {t('hazards.report.anonymous')}
            </Checkbox>
          </Form.Item>
          <Form.Item name="fixOnSpot" valuePropName="checked" style={{ marginBottom: fixOnSpot ? 12 : 0 }} extra={t('hazards.report.fixOnSpotHint')}>
            <Checkbox data-testid="report-fix-on-spot" style={{ minHeight: 44, alignItems: 'center' }}>
              {t('hazards.report.fixOnSpot')}
            </Checkbox>
          </Form.Item>
          {fixOnSpot ? (
            <>
              <Typography.Text strong style={{ display: 'block', marginBottom: 8 }}>
                {t('hazards.report.afterPhotos')}
              </Typography.Text>
              <PhotoPicker value={afterPhotos} onChange={setAfterPhotos} progress={progress} testId="report-after-photos" disabled={sending} />
              {photoError && afterPhotos.length === 0 ? <Alert type="error" showIcon title={t('hazards.report.afterPhotoRequired')} style={{ marginTop: 8 }} /> : null}
              <Form.Item name="rectifyNotes" label={t('hazards.fields.rectifyNotes')} style={{ marginTop: 12, marginBottom: 0 }} rules={[{ max: 2000 }]}>
                <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={2000} />
              </Form.Item>
            </>
          ) : null}
        </Card>

        <Button type="primary" htmlType="submit" size="large" block icon={<SendOutlined />} loading={sending} style={{ height: 56, fontSize: 18 }} data-testid="report-submit">
          {sending ? t('hazards.report.sending') : t('hazards.report.submit')}
        </Button>
      </Form>
      <OutboxPanel />
    </div>
  );
}

function ReportDone({ outcome, onAnother }: { outcome: Outcome; onAnother: () => void }) {
  const { t } = useTranslation();
  const outbox = useOutboxState();
  if (outcome.kind === 'queued') {
    // Once the queue has gone out the page says so instead of still talking about missing signal.
    const sent = outbox.items.length === 0 && outbox.lastSent.length > 0;
    return (
      <div data-testid="hazard-report-queued" style={{ maxWidth: 720 }}>
        <Result
          status={sent ? 'success' : 'info'}
          icon={sent ? <CheckCircleOutlined /> : <CloudSyncOutlined />}
          title={sent ? t('hazards.report.queuedSentTitle') : t('hazards.report.queuedTitle')}
          subTitle={sent ? undefined : t('hazards.report.queuedSub')}
          extra={
            <Button type="primary" size="large" onClick={onAnother} data-testid="report-another">
              {t('hazards.report.another')}
            </Button>
          }
        />
        <OutboxPanel />
      </div>
    );
  }
  const h = outcome.hazard;
  return (
    <div data-testid="hazard-report-done" data-hazard-id={h.id} data-hazard-number={h.number} style={{ maxWidth: 720 }}>
      <Result
        status="success"
        icon={<CheckCircleOutlined />}
        title={t('hazards.report.doneTitle', { number: h.number })}
        subTitle={
          <Flex vertical gap={4} align="center">
            <span>
              <StatusTag status={h.status} /> <LevelTag level={h.level} label={h.levelLabel} />
            </span>
            {h.assigneeName ? <span data-testid="report-assignee">{t('hazards.report.assignedTo', { name: h.assigneeName })}</span> : null}
          </Flex>
        }
        extra={
          <Flex vertical gap={8} align="stretch" style={{ maxWidth: 360, margin: '0 auto' }}>
            {h.anonymous ? null : (
              <Link to={`/hazards/${h.id}`} data-testid="report-open">
                <Button block size="large">
                  {t('hazards.report.open')}
                </Button>
              </Link>
            )}
            <Button type="primary" size="large" block onClick={onAnother} data-testid="report-another">
              {t('hazards.report.another')}
            </Button>
          </Flex>
        }
      />
      {h.possibleDuplicateOf ? (
        <Alert
          type="warning"
          showIcon
          data-testid="report-duplicate"
          title={t('hazards.report.duplicateTitle')}
          description={
            <span>
              {t('hazards.report.duplicateText')}{' '}
              {h.anonymous ? h.possibleDuplicateNumber : <Link to={`/hazards/${h.possibleDuplicateOf}`}>{h.possibleDuplicateNumber ?? h.possibleDuplicateOf}</Link>}
            </span>
          }
          style={{ marginBottom: 16 }}
        />
      ) : null}
      {h.trackingCode ? <TrackingCode code={h.trackingCode} /> : null}
    </div>
  );
}
