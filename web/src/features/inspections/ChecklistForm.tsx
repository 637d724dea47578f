import { Alert, Button, Card, Flex, Input, InputNumber, Radio, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../../api/client.ts';
import { uploadFile } from '../hazards/api.ts';
import { newIdempotencyKey, photoName } from '../hazards/media.ts';
import { PhotoPicker, type PickedPhoto } from '../hazards/PhotoPicker.tsx';
import { submitResults, type ResultBody, type TaskDetail, type TemplateItem } from './api.ts';
import { SignaturePad } from './SignaturePad.tsx';

interface Answer {
  value?: string;
  reading?: number | null;
  text?: string;
  photos: PickedPhoto[];
  signature?: Blob | null;
  remark?: string;
}

const outOfRange = (item: TemplateItem, n: number | null | undefined) =>
  n !== null && n !== undefined && ((item.min !== null && item.min !== undefined && n < item.min) || (item.max !== null && item.max !== undefined && n > item.max));

/**
 * The checklist of one stop, as the task's template version has it. Photos and the signature upload
 * first; then the answers go in one request with an Idempotency-Key kept for this stop, so a retry after
 * a lost answer is applied once (and raises no second hazard).
 */
export function ChecklistForm({ task, stop, onDone }: { task: TaskDetail; stop: number; onDone: (t: TaskDetail) => void }) {
  const { t, i18n } = useTranslation();
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = useRef(newIdempotencyKey());
  const set = (k: string, patch: Partial<Answer>) => setAnswers((a) => ({ ...a, [k]: { photos: [], ...a[k], ...patch } }));

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const results: ResultBody[] = [];
      let n = 0;
      for (const item of task.items) {
        const a = answers[item.key];
        if (!a) continue;
        const photoIds: string[] = [];
        for (const p of a.photos) photoIds.push((await uploadFile(p.blob, photoName(n++), undefined, i18n.language)).id);
        const signatureFileId = a.signature ? (await uploadFile(a.signature, `signature-${item.key}.png`, undefined, i18n.language)).id : null;
        results.push({
          itemKey: item.key,
          ...(a.value !== undefined ? { value: a.value } : {}),
          ...(a.reading !== undefined ? { reading: a.reading } : {}),
          ...(a.text !== undefined ? { text: a.text } : {}),
          ...(photoIds.length ? { photoIds } : {}),
          ...(signatureFileId ? { signatureFileId } : {}),
          ...(a.remark ? { remark: a.remark } : {}),
        });
      }
      onDone(await submitResults(task.id, { stop, version: task.version, results }, key.current));
    } catch (e) {
      setError(isApiError(e) ? errorText(e) : t('errors.generic'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Flex vertical gap={12} data-testid="checklist">
      {task.items.map((item) => {
        const a = answers[item.key] ?? { photos: [] };
        const failed = (item.kind === 'pass_fail' && a.value === 'fail') || (item.kind === 'number' && outOfRange(item, a.reading));
        return (
          <Card key={item.key} size="small" data-testid={`item-${item.key}`} style={failed ? { borderColor: '#e63031' } : undefined}>
            <Flex vertical gap={8}>
              <Typography.Text strong>
                {item.label} {item.required ? <Typography.Text type="danger">*</Typography.Text> : null}
              </Typography.Text>
              {item.hint ? <Typography.Text type="secondary">{item.hint}</Typography.Text> : null}
              {item.kind === 'pass_fail' ? (
                <Radio.Group value={a.value} onChange={(e) => set(item.key, { value: String(e.target.value) })} optionType="button" buttonStyle="solid" size="large">
                  <Radio.Button value="pass">
                    <span data-testid={`item-${item.key}-pass`}>{t('inspections.check.pass')}</span>
                  </Radio.Button>
                  <Radio.Button value="fail">
                    <span data-testid={`item-${item.key}-fail`}>{t('inspections.check.fail')}</span>
                  </Radio.Button>
                  {item.allowNa !== false ? <Radio.Button value="na">{t('inspections.check.na')}</Radio.Button> : null}
                </Radio.Group>
              ) : null}
              {item.kind === 'number' ? (
                <Flex gap={8} align="center" wrap>
                  <span data-testid={`item-${item.key}-reading`}>
                    <InputNumber value={a.reading ?? null} onChange={(v) => set(item.key, { reading: v === null ? null : Number(v) })} inputMode="decimal" size="large" addonAfter={item.unit ?? undefined} />
                  </span>
                  <Typography.Text type="secondary">{t('inspections.check.range', { min: item.min ?? '—', max: item.max ?? '—' })}</Typography.Text>
                  {outOfRange(item, a.reading) ? <Tag color="red">{t('inspections.check.outOfRange')}</Tag> : null}
                </Flex>
              ) : null}
              {item.kind === 'text' ? <Input.TextArea value={a.text} onChange={(e) => set(item.key, { text: e.target.value })} maxLength={2000} autoSize={{ minRows: 2 }} data-testid={`item-${item.key}-text`} /> : null}
              {item.kind === 'signature' ? <SignaturePad onChange={(b) => set(item.key, { signature: b })} testId={`item-${item.key}-signature`} /> : null}
              {item.kind === 'photo' || item.photoRequired || failed ? <PhotoPicker value={a.photos} onChange={(photos) => set(item.key, { photos })} max={9} testId={`item-${item.key}-photos`} /> : null}
              {failed ? (
                <>
                  <Alert type="warning" showIcon message={t('inspections.check.failHint')} />
                  <Input value={a.remark} onChange={(e) => set(item.key, { remark: e.target.value })} maxLength={1000} placeholder={t('inspections.check.remark')} data-testid={`item-${item.key}-remark`} />
                </>
              ) : null}
            </Flex>
          </Card>
        );
      })}
      {error ? <Alert type="error" showIcon message={error} data-testid="checklist-error" /> : null}
      <Button type="primary" size="large" block loading={busy} onClick={() => void submit()} data-testid="checklist-submit">
        {t('inspections.check.submit')}
      </Button>
    </Flex>
  );
}
