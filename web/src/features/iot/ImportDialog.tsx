import { useTranslation } from 'react-i18next';
import { ExcelImportDialog } from '../../shared/ExcelImportDialog.tsx';
import type { IotImportResult } from '../../../../src/modules/iot/importExport.ts';
import { iotTemplateUrl, useImportIot } from './monitoringApi.ts';

const counts = (r: IotImportResult) => ({ devices: r.devices.created, points: r.points.created, unchanged: r.devices.unchanged + r.points.unchanged });

/** Import of devices and points (two sheets): template → check (row-by-row report) → import, all or nothing. */
export function ImportDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <ExcelImportDialog
      open={open}
      onClose={onClose}
      texts={{
        title: t('iot.importer.title'),
        help: t('iot.importer.help'),
        template: t('iot.importer.template'),
        drop: t('iot.importer.drop'),
        dryRun: t('iot.importer.dryRun'),
        run: t('iot.importer.run'),
        rowErrors: (count) => t('iot.importer.rowErrors', { count }),
      }}
      templateUrl={iotTemplateUrl}
      run={useImportIot()}
      checked={(r) => t('iot.importer.checked', counts(r))}
      done={(r) => t('iot.importer.done', counts(r))}
      showSheet
      testId="iot-import"
      width={760}
    />
  );
}
