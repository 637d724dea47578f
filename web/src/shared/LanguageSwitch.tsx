import { GlobalOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { setLanguage, type Language } from '../i18n/index.ts';

/** One tap flips between 中文 and English; the button names the language it switches to. */
export function LanguageSwitch({ compact = false }: { compact?: boolean }) {
  const { t, i18n } = useTranslation();
  const next: Language = i18n.language === 'en' ? 'zh-CN' : 'en';
  const label = next === 'en' ? (compact ? 'EN' : 'English') : compact ? '中' : '中文';
  return (
    <Button
      type="text"
      icon={<GlobalOutlined />}
      onClick={() => void setLanguage(next)}
      aria-label={t('lang.switch')}
      title={t('lang.switch')}
      data-testid="lang-switch"
      data-lang={i18n.language}
    >
      {label}
    </Button>
  );
}
