import { Alert, Button, Card, Flex, Input, InputNumber, Radio, Tag, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../../api/client.ts';
import { useSession } from '../../app/session.ts';
import { newIdempotencyKey } from '../hazards/media.ts';
import { PhotoPicker, type PickedPhoto } from '../hazards/PhotoPicker.tsx';
import type { ScanTaskBody, TaskDetail, TemplateItem } from './api.ts';
import { httpCheckSender, idbCheckOutbox, newCheckItem, sendCheck, type QueuedAnswer } from './checkOutbox.ts';
import { SignaturePad } from './SignaturePad.tsx';
import { refreshCheckOutbox } from './useCheckOutbox.ts';

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
 * The checklist of one stop, as the task's template version has it. The answers, photos and signature go
 * into the check queue first (checkOutbox.ts, IndexedDB) with Idempotency-Keys made now, and are sent from
 * there: with signal at once, without it when the phone is back online. A retry after a lost answer is
 * applied once (and raises no second hazard). `offlineScan` is a scan the server could not verify yet.
 */
export function ChecklistForm({ task, stop, offlineScan, onDone, onQueued }: { task: TaskDetail; stop: number; offlineScan: ScanTaskBody | null; onDone: (t: TaskDetail) => void; onQueued: () => void }) {
  const { t, i18n } = useTranslation();
  const me = useSession();
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = useRef(newIdempotencyKey());
  const scanKey = useRef(newIdempotencyKey());
  const set = (k: string, patch: Partial<Answer>) => setAnswers((a) => ({ ...a, [k]: { photos: [], ...a[k], ...patch } }));

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const queued: QueuedAnswer[] = task.items.flatMap((item) => {
        const a = answers[item.key];
        if (!a) return [];
        return [
          {
            itemKey: item.key,
            ...(a.value !== undefined ? { value: a.value } : {}),
            ...(a.reading !== undefined ? { reading: a.reading } : {}),
            ...(a.text !== undefined ? { text: a.text } : {}),
            ...(a.remark ? { remark: a.remark } : {}),
            photos: a.photos.map((p) => p.blob),
            signature: a.signature ?? null,
          },
        ];
      });
      const item = newCheckItem({ id: key.current, scanKey: scanKey.current, userId: me.id, taskId: task.id, taskName: task.planName, stop, scan: offlineScan, version: offlineScan ? null : task.version, answers: queued });
      let stored = true;
      try {
        await idbCheckOutbox.put(item);
      } catch {
        // No IndexedDB (old private mode): send directly, nothing can wait offline.
        stored = false;
      }
      const outcome = await sendCheck(item, stored ? idbCheckOutbox : { all: async () => [], put: async () => undefined, remove: async () => undefined }, httpCheckSender(i18n.language));
      await refreshCheckOutbox(me.id);
      if (outcome.kind === 'sent') onDone(outcome.task);
      else if (outcome.kind === 'retry' && stored) onQueued();
      else {
        // Refused (4xx): the answers stay on the form to correct; the queued copy is dropped.
        if (stored) await idbCheckOutbox.remove(item.id);
        await refreshCheckOutbox(me.id);
        key.current = newIdempotencyKey();
        scanKey.current = newIdempotencyKey();
        setError(isApiError(outcome.error) ? errorText(outcome.error) : t('errors.generic'));
      }
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
