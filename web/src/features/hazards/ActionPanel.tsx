import { Alert, Button, DatePicker, Flex, Form, Input, InputNumber, Modal, Radio, Select, Typography, type ButtonProps } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsPhone } from '../../shared/useIsPhone.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { PersonSelect } from '../people/PersonSelect.tsx';
import { hazardLevels, uploadFile, useHazardConfig, useHazardStep, type HazardDetail, type StepInput } from './api.ts';
import { useLevelLabel } from './labels.tsx';
import { photoName } from './media.ts';
import { PhotoPicker, type PickedPhoto } from './PhotoPicker.tsx';
import { HazardPicker, UserPicker } from './pickers.tsx';

/** Actions the detail response may offer (src/modules/hazards/ledger.ts `actions`), in button order. */
const order = [
  'accept',
  'submit',
  'pass',
  'fail',
  'assign',
  'save_plan',
  'request_extension',
  'decide_extension',
  'save_treatment_plan',
  'sign_off',
  'report_to_authority',
  'regrade',
  'reassign',
  'hand_back',
  'reject',
  'merge',
  'reopen',
] as const;
type Action = (typeof order)[number];

const primary = new Set<Action>(['accept', 'submit', 'pass', 'assign']);
const danger = new Set<Action>(['reject', 'fail']);

type Values = Record<string, unknown>;

/** The buttons for what the signed-in user may do now; each opens a short form. */
export function ActionPanel({ hazard, onReload }: { hazard: HazardDetail; onReload: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState<Action | null>(null);
  const offered = order.filter((a) => hazard.actions.includes(a));
  if (offered.length === 0) return <Typography.Text type="secondary">{t('hazards.actions.none')}</Typography.Text>;
  return (
    <>
      <Flex vertical gap={8} data-testid="hazard-actions">
        {offered.map((a) => (
          <Button key={a} block size="large" type={primary.has(a) ? 'primary' : 'default'} danger={danger.has(a)} onClick={() => setOpen(a)} data-testid={`action-${a}`} style={{ minHeight: 48 }}>
            {t(`hazards.actions.${a}`)}
          </Button>
        ))}
      </Flex>
      {open ? <StepModal action={open} hazard={hazard} onClose={() => setOpen(null)} onReload={onReload} /> : null}
    </>
  );
}

function StepModal({ action, hazard, onClose, onReload }: { action: Action; hazard: HazardDetail; onClose: () => void; onReload: () => void }) {
  const { t, i18n } = useTranslation();
  const isPhone = useIsPhone();
  const onError = useApiError();
  const step = useHazardStep(hazard.id);
  const [form] = Form.useForm<Values>();
  const [photos, setPhotos] = useState<PickedPhoto[]>([]);
  const [progress, setProgress] = useState<Record<string, number>>({});
  const [uploading, setUploading] = useState(false);
  const [photoMissing, setPhotoMissing] = useState(false);
  const pendingExt = hazard.extensions.find((e) => e.status === 'pending');
  const config = useHazardConfig();
  const levelLabel = useLevelLabel();
  const [unchanged, setUnchanged] = useState(false);
  const needsPhotos = action === 'submit';
  const takesPhotos = action === 'submit' || action === 'pass' || action === 'fail';

  const uploadAll = async (): Promise<string[]> => {
    const ids: string[] = [];
    for (const [i, p] of photos.entries()) {
      const f = await uploadFile(p.blob, photoName(i), (pct) => setProgress((o) => ({ ...o, [p.key]: pct })), i18n.language);
      ids.push(f.id);
    }
    return ids;
  };

  const str = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  const iso = (v: unknown) => (dayjs.isDayjs(v) ? (v as Dayjs).toISOString() : undefined);

  const finish = async (v: Values) => {
    if (needsPhotos && photos.length === 0) {
      setPhotoMissing(true);
      return;
    }
    let photoIds: string[] = [];
    if (takesPhotos && photos.length > 0) {
      setUploading(true);
      try {
        photoIds = await uploadAll();
      } catch (e) {
        onError(e);
        return;
      } finally {
        setUploading(false);
      }
    }
    const input: Omit<StepInput, 'version'> | null = (() => {
      switch (action) {
        case 'accept':
          return { path: 'accept', body: { comment: str(v.comment) } };
        case 'reject':
          return { path: 'reject', body: { reason: str(v.reason) } };
        case 'hand_back':
          return { path: 'hand-back', body: { reason: str(v.reason) } };
        case 'reopen':
          return { path: 'reopen', body: { reason: str(v.reason) } };
        case 'assign':
          return { path: 'assign', body: { userId: v.userId, ...(v.verifierUserId ? { verifierUserId: v.verifierUserId } : {}), comment: str(v.comment) } };
        case 'reassign':
          return { path: 'reassign', body: { userId: v.userId, reason: str(v.reason) } };
        case 'save_plan':
          return {
            method: 'PUT',
            path: 'plan',
            body: { measures: str(v.measures), fundsYuan: Number(v.fundsYuan ?? 0), deadline: iso(v.deadline), responsiblePersonId: v.responsiblePersonId, interimMeasures: str(v.interimMeasures) },
          };
        case 'request_extension':
          return { path: 'extensions', body: { newDueAt: iso(v.newDueAt), reason: str(v.reason) } };
        case 'decide_extension':
          return pendingExt ? { path: `extensions/${pendingExt.id}/decision`, body: { approve: v.approve === true, comment: str(v.comment) } } : null;
        case 'submit':
          return { path: 'submit', body: { afterPhotoIds: photoIds, notes: str(v.notes) } };
        case 'pass':
          return { path: 'pass', body: { comment: str(v.comment), ...(photoIds.length ? { photoIds } : {}) } };
        case 'fail':
          return { path: 'fail', body: { reason: str(v.reason), ...(photoIds.length ? { photoIds } : {}) } };
        case 'merge':
          return { path: 'merge', body: { intoId: v.intoId, comment: str(v.comment) } };
        case 'save_treatment_plan':
          return {
            method: 'PUT',
            path: 'treatment-plan',
            body: {
              goal: str(v.goal),
              methods: str(v.methods),
              fundsYuan: Number(v.fundsYuan ?? 0),
              materials: str(v.materials),
              responsibleOrg: str(v.responsibleOrg),
              responsiblePeople: str(v.responsiblePeople),
              timeLimit: iso(v.timeLimit),
              requirements: str(v.requirements),
              safetyMeasures: str(v.safetyMeasures),
              emergencyPlan: str(v.emergencyPlan),
            },
          };
        case 'sign_off':
          return { path: 'signoffs', body: { comment: str(v.comment) } };
        case 'report_to_authority':
          return { path: 'authority-report', body: { reportedAt: iso(v.reportedAt), reference: str(v.reference) } };
        case 'regrade': {
          // Only what changed goes to the server; nothing changed is refused there too (400 level/changed).
          const level = v.level !== hazard.level ? v.level : undefined;
          const category = v.category !== hazard.category ? v.category : undefined;
          if (level === undefined && category === undefined) {
            setUnchanged(true);
            return null;
          }
          return { path: 'regrade', body: { level, category, reason: str(v.reason) } };
        }
      }
    })();
    if (!input) return;
    // Optional fields left empty are sent as null where the schema allows it, or left out.
    const body = Object.fromEntries(Object.entries(input.body).filter(([, x]) => x !== undefined));
    step.mutate(
      { ...input, body, version: hazard.version },
      {
        onSuccess: onClose,
        onError: (e) =>
          onError(e, {
            form,
            onReload: () => {
              onClose();
              onReload();
            },
          }),
      },
    );
  };

  const req = [{ required: true, message: t('validation.required') }];
  const reason = (
    <Form.Item name="reason" label={t('hazards.fields.reason')} rules={[...req, { whitespace: true, message: t('validation.required') }, { max: 1000 }]}>
      <Input.TextArea autoSize={{ minRows: 2, maxRows: 6 }} maxLength={1000} data-testid="step-reason" />
    </Form.Item>
  );
  const comment = (
    <Form.Item name="comment" label={t('hazards.fields.comment')} rules={[{ max: 1000 }]}>
      <Input.TextArea autoSize={{ minRows: 1, maxRows: 4 }} maxLength={1000} data-testid="step-comment" />
    </Form.Item>
  );
  const text = (name: string, label: string, max = 4000): ReactNode => (
    <Form.Item key={name} name={name} label={label} rules={[...req, { whitespace: true, message: t('validation.required') }, { max }]}>
      <Input.TextArea autoSize={{ minRows: 1, maxRows: 5 }} maxLength={max} />
    </Form.Item>
  );
  const dateTime = (name: string, label: string, required = true) => (
    <Form.Item name={name} label={label} rules={required ? req : []}>
      <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" style={{ width: '100%' }} inputReadOnly={isPhone} />
    </Form.Item>
  );
  const money = (
    <Form.Item name="fundsYuan" label={t('hazards.fields.funds')} rules={req}>
      <InputNumber min={0} max={10_000_000_000} step={100} style={{ width: '100%' }} suffix="元" />
    </Form.Item>
  );

  const fields: ReactNode = (() => {
    switch (action) {
      case 'accept':
      case 'sign_off':
        return comment;
      case 'reject':
      case 'hand_back':
      case 'reopen':
        return reason;
      case 'assign':
        return (
          <>
            <Form.Item name="userId" label={t('hazards.fields.assignee')} rules={req}>
              <UserPicker testId="step-user" />
            </Form.Item>
            <Form.Item name="verifierUserId" label={t('hazards.fields.verifier')}>
              <UserPicker />
            </Form.Item>
            {comment}
          </>
        );
      case 'reassign':
        return (
          <>
            <Form.Item name="userId" label={t('hazards.fields.newAssignee')} rules={req}>
              <UserPicker testId="step-user" />
            </Form.Item>
            {reason}
          </>
        );
      case 'save_plan':
        return (
          <>
            <Typography.Paragraph type="secondary">{t('hazards.plan.help')}</Typography.Paragraph>
            {text('measures', t('hazards.plan.measures'))}
            {money}
            {dateTime('deadline', t('hazards.plan.deadline'))}
            <Form.Item name="responsiblePersonId" label={t('hazards.plan.responsible')} rules={req}>
              <PersonSelect initialLabel={hazard.plan?.responsiblePersonName} />
            </Form.Item>
            {text('interimMeasures', t('hazards.plan.interim'))}
          </>
        );
      case 'request_extension':
        return (
          <>
            {dateTime('newDueAt', t('hazards.fields.newDueAt'))}
            {reason}
          </>
        );
      case 'decide_extension':
        return (
          <>
            {pendingExt ? (
              <Typography.Paragraph>
                {t('hazards.extension.pending', { name: pendingExt.requestedByName ?? '—', due: dayjs(pendingExt.newDueAt).format('YYYY-MM-DD HH:mm'), reason: pendingExt.reason })}
              </Typography.Paragraph>
            ) : null}
            <Form.Item name="approve" label={t('hazards.extension.decision')} rules={req}>
              <Radio.Group optionType="button" buttonStyle="solid">
                <Radio.Button value={true}>{t('hazards.extension.approve')}</Radio.Button>
                <Radio.Button value={false}>{t('hazards.extension.refuse')}</Radio.Button>
              </Radio.Group>
            </Form.Item>
            {comment}
          </>
        );
      case 'submit':
        return (
          <Form.Item name="notes" label={t('hazards.fields.rectifyNotes')} rules={[{ max: 2000 }]}>
            <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} data-testid="step-notes" />
          </Form.Item>
        );
      case 'pass':
        return comment;
      case 'fail':
        return reason;
      case 'merge':
        return (
          <>
            <Form.Item name="intoId" label={t('hazards.fields.mergeInto')} rules={req}>
              <HazardPicker exclude={hazard.id} initial={hazard.possibleDuplicateOf ? { id: hazard.possibleDuplicateOf, label: hazard.possibleDuplicateNumber ?? hazard.possibleDuplicateOf } : null} />
            </Form.Item>
            {comment}
          </>
        );
      case 'save_treatment_plan':
        return (
          <>
            <Typography.Paragraph type="secondary">{t('hazards.treatment.help')}</Typography.Paragraph>
            {text('goal', t('hazards.treatment.goal'))}
            {text('methods', t('hazards.treatment.methods'))}
            {money}
            {text('materials', t('hazards.treatment.materials'))}
            {text('responsibleOrg', t('hazards.treatment.responsibleOrg'), 200)}
            {text('responsiblePeople', t('hazards.treatment.responsiblePeople'), 500)}
            {dateTime('timeLimit', t('hazards.treatment.timeLimit'))}
            {text('requirements', t('hazards.treatment.requirements'))}
            {text('safetyMeasures', t('hazards.treatment.safetyMeasures'))}
            {text('emergencyPlan', t('hazards.treatment.emergencyPlan'))}
          </>
        );
      case 'regrade':
        return (
          <>
            <Typography.Paragraph type="secondary">{t('hazards.regrade.help')}</Typography.Paragraph>
            <Form.Item name="level" label={t('hazards.regrade.level')} rules={req}>
              <Radio.Group optionType="button" buttonStyle="solid" onChange={() => setUnchanged(false)} data-testid="regrade-level">
                {hazardLevels.map((l) => (
                  <Radio.Button key={l} value={l}>
                    {config.data?.levels.find((x) => x.code === l)?.[i18n.language === 'en' ? 'labelEn' : 'labelZh'] ?? levelLabel(l)}
                  </Radio.Button>
                ))}
              </Radio.Group>
            </Form.Item>
            <Form.Item name="category" label={t('hazards.regrade.category')} rules={req}>
              <Select
                showSearch={{ optionFilterProp: 'label' }}
                loading={config.isLoading}
                onChange={() => setUnchanged(false)}
                options={(config.data?.categories ?? []).filter((c) => c.active || c.code === hazard.category).map((c) => ({ value: c.code, label: i18n.language === 'en' ? c.labelEn : c.labelZh }))}
                data-testid="regrade-category"
              />
            </Form.Item>
            {reason}
            {unchanged ? <Alert type="warning" showIcon title={t('hazards.regrade.unchanged')} data-testid="regrade-unchanged" /> : null}
          </>
        );
      case 'report_to_authority':
        return (
          <>
            {dateTime('reportedAt', t('hazards.fields.authorityReportedAt'), false)}
            <Form.Item name="reference" label={t('hazards.fields.authorityReference')} rules={[{ max: 200 }]}>
              <Input maxLength={200} />
            </Form.Item>
          </>
        );
    }
  })();

  const initial: Values = (() => {
    if (action === 'save_plan' && hazard.plan) {
      return { ...hazard.plan, deadline: dayjs(hazard.plan.deadline) };
    }
    if (action === 'save_treatment_plan' && hazard.treatmentPlan) return { ...hazard.treatmentPlan, timeLimit: dayjs(hazard.treatmentPlan.timeLimit) };
    if (action === 'merge' && hazard.possibleDuplicateOf) return { intoId: hazard.possibleDuplicateOf };
    if (action === 'report_to_authority') return { reportedAt: dayjs() };
    if (action === 'regrade') return { level: hazard.level, category: hazard.category };
    return {};
  })();

  return (
    <Modal
      open
      title={t(`hazards.actions.${action}`)}
      onCancel={onClose}
      okText={t('hazards.actions.confirm')}
      cancelText={t('common.cancel')}
      okButtonProps={{ loading: step.isPending || uploading, htmlType: 'submit', size: 'large', 'data-testid': 'step-ok' } as ButtonProps}
      cancelButtonProps={{ size: 'large' }}
      width={isPhone ? '100%' : 560}
      style={isPhone ? { top: 8, maxWidth: 'calc(100vw - 16px)' } : undefined}
      destroyOnHidden
      data-testid="step-modal"
      modalRender={(node) => (
        <Form<Values> form={form} layout="vertical" initialValues={initial} onFinish={(v) => void finish(v)} clearOnDestroy>
          {node}
        </Form>
      )}
    >
      {takesPhotos ? (
        <div style={{ marginBottom: 16 }}>
          <Typography.Text strong style={{ display: 'block', marginBottom: 8 }}>
            {needsPhotos ? t('hazards.fields.afterPhotos') : t('hazards.fields.photosOptional')}
          </Typography.Text>
          <PhotoPicker value={photos} onChange={(p) => (setPhotos(p), setPhotoMissing(false))} progress={progress} testId="step-photos" disabled={uploading || step.isPending} />
          {photoMissing ? <Typography.Text type="danger">{t('hazards.report.afterPhotoRequired')}</Typography.Text> : null}
        </div>
      ) : null}
      {fields}
    </Modal>
  );
}
