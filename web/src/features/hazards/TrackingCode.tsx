import { CopyOutlined } from '@ant-design/icons';
import { App, Button, Card, Flex, Typography } from 'antd';
import { useTranslation } from 'react-i18next';

/** Shown once after an anonymous report: the only way back to it. */
export function TrackingCode({ code }: { code: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const link = `${window.location.origin}/track#${code}`;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      message.success(t('common.copied'));
    } catch {
      message.info(code);
    }
  };
  return (
    <Card size="small" title={t('hazards.track.codeTitle')} data-testid="tracking-code-card">
      <Typography.Paragraph>{t('hazards.track.codeHelp')}</Typography.Paragraph>
      <Typography.Text code style={{ fontSize: 22, letterSpacing: 2, display: 'block', textAlign: 'center', margin: '8px 0 12px', overflowWrap: 'anywhere' }} data-testid="tracking-code">
        {code}
      </Typography.Text>
      <Flex gap={8} wrap>
        <Button icon={<CopyOutlined />} onClick={() => void copy()} style={{ flex: '1 1 140px' }} data-testid="tracking-copy">
          {t('common.copy')}
        </Button>
        <Button href={link} target="_blank" rel="noreferrer" style={{ flex: '1 1 140px' }} data-testid="tracking-link">
          {t('hazards.track.open')}
        </Button>
      </Flex>
    </Card>
  );
}
