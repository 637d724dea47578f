import { ApartmentOutlined, EditOutlined, PlusOutlined, StopOutlined, CheckCircleOutlined } from '@ant-design/icons';
import { Button, Card, Descriptions, Flex, Popconfirm, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { dash } from '../../shared/format.ts';
import { useOrgKindLabel } from '../../shared/labels.ts';
import { useApiError } from '../../shared/useApiError.ts';
import { useUpdateOrgUnit, type OrgUnit } from './api.ts';
import { childKindsOf } from './kindRules.ts';
import { OrgUnitCreateModal, OrgUnitEditModal, OrgUnitMoveModal } from './OrgUnitModals.tsx';
import { pathNames } from './tree.ts';

type Dialog = 'create' | 'edit' | 'move' | null;

export function OrgUnitDetails({ unit, units, onSelect }: { unit: OrgUnit; units: OrgUnit[]; onSelect: (id: string) => void }) {
  const { t } = useTranslation();
  const { can } = useCan();
  const kindLabel = useOrgKindLabel();
  const onError = useApiError();
  const update = useUpdateOrgUnit();
  const [dialog, setDialog] = useState<Dialog>(null);
  const writable = can('org:write');
  const isRoot = unit.parentId === null;

  const toggleActive = () =>
    update.mutate({ id: unit.id, active: !unit.active, version: unit.version }, { onError: (e) => onError(e) });

  return (
    <Card
      title={unit.name}
      data-testid="org-details"
      extra={unit.active ? <Tag color="green">{t('common.active')}</Tag> : <Tag>{t('common.inactive')}</Tag>}
    >
      <Descriptions column={{ xs: 1, sm: 2 }} size="small">
        <Descriptions.Item label={t('org.kind')}>{kindLabel(unit.kind)}</Descriptions.Item>
        <Descriptions.Item label={t('org.code')}>{unit.code}</Descriptions.Item>
        <Descriptions.Item label={t('org.headcount')}>
          <span data-testid="org-headcount">{unit.headcount}</span>
        </Descriptions.Item>
        <Descriptions.Item label={t('org.manager')}>{dash(unit.managerName)}</Descriptions.Item>
        <Descriptions.Item label={t('org.path')} span={2}>
          {pathNames(units, unit)}
        </Descriptions.Item>
      </Descriptions>
      {writable ? (
        // Plain buttons that wrap: four actions do not fit one row of a phone card.
        <Flex wrap gap={8} style={{ marginTop: 16 }}>
          <Button icon={<PlusOutlined />} onClick={() => setDialog('create')} disabled={!unit.active || childKindsOf(unit.kind).length === 0} data-testid="org-add-child">
            {t('org.addChild')}
          </Button>
          <Button icon={<EditOutlined />} onClick={() => setDialog('edit')} data-testid="org-edit">
            {t('common.edit')}
          </Button>
          <Button icon={<ApartmentOutlined />} onClick={() => setDialog('move')} disabled={isRoot} data-testid="org-move">
            {t('org.move')}
          </Button>
          <Popconfirm
            title={unit.active ? t('org.deactivateConfirm', { name: unit.name }) : t('org.activateConfirm', { name: unit.name })}
            onConfirm={toggleActive}
            disabled={isRoot}
          >
            <Button danger={unit.active} icon={unit.active ? <StopOutlined /> : <CheckCircleOutlined />} disabled={isRoot} loading={update.isPending}>
              {unit.active ? t('org.deactivate') : t('org.activate')}
            </Button>
          </Popconfirm>
        </Flex>
      ) : null}
      <OrgUnitCreateModal
        open={dialog === 'create'}
        parent={unit}
        onClose={(id) => {
          setDialog(null);
          if (id) onSelect(id);
        }}
      />
      <OrgUnitEditModal open={dialog === 'edit'} unit={unit} onClose={() => setDialog(null)} />
      <OrgUnitMoveModal open={dialog === 'move'} unit={unit} units={units} onClose={() => setDialog(null)} />
    </Card>
  );
}
