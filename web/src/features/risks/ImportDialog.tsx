import { useTranslation } from 'react-i18next';
import { ExcelImportDialog } from '../../shared/ExcelImportDialog.tsx';
import { templateUrl, useImportRisks } from './api.ts';

/** Import of the register: template → check (row-by-row report) → import, all or nothing. */
export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <ExcelImportDialog
      open={open}
      onClose={onClose}
      texts={{
        title: t('risks.import.title'),
        help: t('risks.import.help'),
        template: t('risks.import.template'),
        drop: t('risks.import.drop'),
        dryRun: t('risks.import.dryRun'),
        run: t('risks.import.run'),
        rowErrors: (count) => t('risks.import.rowErrors', { count }),
      }}
      templateUrl={templateUrl}
      run={useImportRisks()}
      checked={(r) => t('risks.import.checked', { rows: r.rows })}
      done={(r) => t('risks.import.done', { ...r.created, unchanged: r.unchanged })}
      testId="risk-import"
    />
  );
}
