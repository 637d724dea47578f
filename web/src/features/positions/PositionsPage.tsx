import { PlusOutlined } from '@ant-design/icons';
import { Button, Form, Input, Space, Switch, Table, Tag, type TableColumnsType } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useCreatePosition, usePositions, useUpdatePosition, type Position } from './api.ts';

interface RowValues {
  code: string;
  name: string;
  special: boolean;
  active: boolean;
}

const NEW = '__new__';

/** Positions edited in place: one row at a time, saved with its version. */
export function PositionsPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const positions = usePositions();
  const create = useCreatePosition();
  const update = useUpdatePosition();
  const onError = useApiError();
  const [form] = Form.useForm<RowValues>();
  const [editingId, setEditingId] = useState<string | null>(null);
  const writable = can('org:write');

  const draft: Position = { id: NEW, code: '', name: '', special: false, active: true, version: 0 };
  const rows = editingId === NEW ? [draft, ...(positions.data ?? [])] : (positions.data ?? []);

  const startEdit = (p: Position) => {
    form.setFieldsValue({ code: p.code, name: p.name, special: p.special, active: p.active });
    setEditingId(p.id);
  };
  const cancel = () => setEditingId(null);
  const save = async (p: Position) => {
    let v: RowValues;
    try {
      v = await form.validateFields();
    } catch {
      return; // The fields show what is wrong.
    }
    const opts = { onSuccess: () => setEditingId(null), onError: (e: unknown) => onError(e, { form, onReload: () => { setEditingId(null); void positions.refetch(); } }) };
    if (p.id === NEW) create.mutate({ code: v.code.trim(), name: v.name.trim(), special: v.special }, opts);
    else update.mutate({ id: p.id, code: v.code.trim(), name: v.name.trim(), special: v.special, active: v.active, version: p.version }, opts);
  };

  const editing = (p: Position) => p.id === editingId;
  const columns: TableColumnsType<Position> = [
    {
      key: 'code',
      title: t('positions.code'),
      width: 160,
      render: (_, p) =>
        editing(p) ? (
          <Form.Item name="code" style={{ margin: 0 }} rules={[{ required: true, message: t('validation.required') }, { pattern: /^[A-Za-z0-9_-]{1,50}$/, message: t('validation.code') }]}>
            <Input maxLength={50} />
          </Form.Item>
        ) : (
          p.code
        ),
    },
    {
      key: 'name',
      title: t('positions.name'),
      render: (_, p) =>
        editing(p) ? (
          <Form.Item name="name" style={{ margin: 0 }} rules={[{ required: true, whitespace: true, message: t('validation.required') }]}>
            <Input maxLength={100} />
          </Form.Item>
        ) : (
          p.name
        ),
    },
    {
      key: 'special',
      title: t('positions.special'),
      width: 140,
      render: (_, p) =>
        editing(p) ? (
          <Form.Item name="special" valuePropName="checked" style={{ margin: 0 }}>
            <Switch />
          </Form.Item>
        ) : p.special ? (
          <Tag color="volcano">{t('positions.specialTag')}</Tag>
        ) : null,
    },
    {
      key: 'active',
      title: t('common.status'),
      width: 120,
      render: (_, p) =>
        editing(p) && p.id !== NEW ? (
          <Form.Item name="active" valuePropName="checked" style={{ margin: 0 }}>
            <Switch />
          </Form.Item>
        ) : p.active ? (
          <Tag color="green">{t('common.active')}</Tag>
        ) : (
          <Tag>{t('common.inactive')}</Tag>
        ),
    },
  ];
  if (writable) {
    columns.push({
      key: 'actions',
      title: t('common.actions'),
      width: 180,
      render: (_, p) =>
        editing(p) ? (
          <Space>
            <Button type="primary" onClick={() => void save(p)} loading={create.isPending || update.isPending} data-testid="position-save">
              {t('common.save')}
            </Button>
            <Button onClick={cancel}>{t('common.cancel')}</Button>
          </Space>
        ) : (
          <Button onClick={() => startEdit(p)} disabled={editingId !== null}>
            {t('common.edit')}
          </Button>
        ),
    });
  }

  if (positions.isError) return <QueryError error={positions.error} onRetry={() => void positions.refetch()} />;
  return (
    <div data-testid="positions-page">
      <PageHeader
        title={t('positions.title')}
        sub={t('positions.subtitle')}
        extra={
          writable ? (
            <Button type="primary" icon={<PlusOutlined />} disabled={editingId !== null} onClick={() => startEdit(draft)} data-testid="position-new">
              {t('positions.new')}
            </Button>
          ) : null
        }
      />
      <Form form={form} component={false}>
        <Table<Position> rowKey="id" columns={columns} dataSource={rows} loading={positions.isLoading} pagination={false} scroll={{ x: 'max-content' }} data-testid="positions-table" />
      </Form>
    </div>
  );
}
