import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import type { RiskLevel } from './api.ts';

/** Text on a level colour: dark on the light yellow and blue, white on red and orange. */
function textOn(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  const [r, g, b] = [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#262626' : '#ffffff';
}

/** A level tag in the tenant's colour for that level (the colour the assessment stored). */
export function LevelTag({ level, colour, score }: { level: RiskLevel | null; colour?: string | null; score?: number | null }) {
  const { t } = useTranslation();
  if (!level) return <Tag data-testid="risk-level" data-level="unassessed">{t('risks.level.unassessed')}</Tag>;
  const bg = colour ?? '#bfbfbf';
  return (
    // Filled with the exact stored colour (antd's `color` would tint it), text readable on it.
    <Tag style={{ backgroundColor: bg, color: textOn(bg), borderColor: bg }} data-testid="risk-level" data-level={level}>
      {t(`risks.level.${level}`)}
      {score !== undefined && score !== null ? ` ${score}` : ''}
    </Tag>
  );
}
