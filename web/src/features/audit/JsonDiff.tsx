import { Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}

interface Row {
  key: string;
  before: unknown;
  after: unknown;
  changed: boolean;
}

/**
 * Before/after of one audit entry, field by field, changed fields first and highlighted. Creates have no
 * "before", deletes no "after"; non-object payloads fall back to the raw JSON.
 */
export function JsonDiff({ before, after }: { before: unknown; after: unknown }) {
  const { t } = useTranslation();
  if ((before !== null && before !== undefined && !isObj(before)) || (after !== null && after !== undefined && !isObj(after))) {
    return (
      <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{JSON.stringify({ before, after }, null, 2)}</pre>
    );
  }
  const b = isObj(before) ? before : {};
  const a = isObj(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  const rows: Row[] = keys
    .map((key) => ({ key, before: b[key], after: a[key], changed: JSON.stringify(b[key]) !== JSON.stringify(a[key]) }))
    .sort((x, y) => Number(y.changed) - Number(x.changed) || x.key.localeCompare(y.key));
  if (rows.length === 0) return <Typography.Text type="secondary">{t('audit.noPayload')}</Typography.Text>;
  return (
    <Table<Row>
      size="small"
      rowKey="key"
      pagination={false}
      dataSource={rows}
      data-testid="audit-diff"
      onRow={(r) => ({ style: r.changed ? { background: '#fffbe6' } : undefined })}
      columns={[
        { key: 'field', title: t('audit.field'), render: (_, r) => <Typography.Text code>{r.key}</Typography.Text>, width: 160 },
        { key: 'before', title: t('audit.before'), render: (_, r) => <span style={{ wordBreak: 'break-all', color: r.changed ? '#cf1322' : undefined }}>{show(r.before)}</span> },
        { key: 'after', title: t('audit.after'), render: (_, r) => <span style={{ wordBreak: 'break-all', color: r.changed ? '#389e0d' : undefined }}>{show(r.after)}</span> },
      ]}
    />
  );
}
