import { CarryOutOutlined } from '@ant-design/icons';
import { Alert, Button, Flex } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { errorText, isApiError } from '../../api/client.ts';
import { useCan } from '../../app/session.ts';
import { scanTask, useTasksAtCheckpoint } from './api.ts';
import { windowText } from './labels.tsx';

/**
 * On the checkpoint scan page: when the signed-in user has an open check at this checkpoint, one tap
 * starts it here with the code just scanned, and opens its checklist.
 */
export function InspectionOffer({ checkpointId, code }: { checkpointId: string; code: string }) {
  const { t } = useTranslation();
  const { can } = useCan();
  const allowed = can('inspection:perform');
  const q = useTasksAtCheckpoint(allowed ? checkpointId : null);
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (!allowed || !q.data || q.data.items.length === 0) return null;
  return (
    <Flex vertical gap={8} style={{ marginTop: 16 }} data-testid="inspection-offer">
      {q.data.items.map((task) => {
        const stop = task.stops.findIndex((s) => s.checkpointId === checkpointId && !s.submittedAt);
        return (
          <Button
            key={task.id}
            type="primary"
            size="large"
            block
            icon={<CarryOutOutlined />}
            loading={busy === task.id}
            onClick={async () => {
              setBusy(task.id);
              setError(null);
              try {
                await scanTask(task.id, { code, ...(stop >= 0 ? { stop } : {}) });
                void navigate(`/inspections/tasks/${task.id}`);
              } catch (e) {
                setError(isApiError(e) ? errorText(e) : t('errors.generic'));
              } finally {
                setBusy(null);
              }
            }}
            data-testid="inspection-start-here"
          >
            {t('inspections.offer.start', { name: task.planName, window: windowText(task.windowStart, task.windowEnd) })}
          </Button>
        );
      })}
      {error ? <Alert type="error" showIcon message={error} /> : null}
    </Flex>
  );
}
