import { DeleteOutlined } from '@ant-design/icons';
import { Button, Flex, Input, InputNumber, Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { conditionOps, type Condition, type ConditionOp } from './types.ts';

type Scalar = string | number;
type ValueType = 'string' | 'number';

const valueTypeOf = (c: Condition): ValueType => {
  const first = Array.isArray(c.value) ? c.value[0] : c.value;
  return typeof first === 'number' ? 'number' : 'string';
};

/** The engine compares numbers with numbers and strings with strings only, so the type is explicit. */
function convert(v: Scalar, to: ValueType): Scalar {
  if (to === 'string') return String(v);
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** One condition `field op value` of a branch, on a form field. */
export function ConditionRow({ value, onChange, onRemove, index }: { value: Condition; onChange: (c: Condition) => void; onRemove: () => void; index: number }) {
  const { t } = useTranslation();
  const type = valueTypeOf(value);
  const list = Array.isArray(value.value) ? value.value : [value.value];
  const setOp = (op: ConditionOp) => onChange({ ...value, op, value: op === 'in' ? list : (list[0] ?? (type === 'number' ? 0 : '')) });
  const setType = (to: ValueType) => onChange({ ...value, value: Array.isArray(value.value) ? value.value.map((v) => convert(v, to)) : convert(value.value, to) });
  return (
    <Flex gap={6} wrap align="center" style={{ marginBottom: 8 }} data-testid={`wf-cond-${index}`}>
      <Input style={{ width: 130 }} placeholder={t('workflow.drawer.fieldPlaceholder')} value={value.field} onChange={(e) => onChange({ ...value, field: e.target.value.trim() })} data-testid={`wf-cond-field-${index}`} />
      <Select style={{ width: 100 }} value={value.op} onChange={setOp} options={conditionOps.map((o) => ({ value: o, label: t(`workflow.drawer.ops.${o}`) }))} data-testid={`wf-cond-op-${index}`} />
      <Select style={{ width: 76 }} value={type} onChange={setType} options={(['string', 'number'] as const).map((v) => ({ value: v, label: t(`workflow.drawer.valueTypes.${v}`) }))} />
      {value.op === 'in' ? (
        <Select
          mode="tags"
          style={{ minWidth: 160, flex: 1 }}
          placeholder={t('workflow.drawer.valuesPlaceholder')}
          value={list.map(String)}
          onChange={(vs: string[]) => onChange({ ...value, value: vs.map((v) => convert(v, type)) })}
          data-testid={`wf-cond-values-${index}`}
        />
      ) : type === 'number' ? (
        <InputNumber style={{ width: 140 }} value={typeof value.value === 'number' ? value.value : 0} onChange={(n) => onChange({ ...value, value: n ?? 0 })} data-testid={`wf-cond-value-${index}`} />
      ) : (
        <Input style={{ width: 140 }} value={typeof value.value === 'string' ? value.value : ''} onChange={(e) => onChange({ ...value, value: e.target.value })} data-testid={`wf-cond-value-${index}`} />
      )}
      <Button type="text" danger icon={<DeleteOutlined />} onClick={onRemove} aria-label={t('workflow.tree.remove')} />
    </Flex>
  );
}
