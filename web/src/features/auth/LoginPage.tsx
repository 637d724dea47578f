import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Flex, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate, useSearchParams } from 'react-router';
import { errorText, isApiError } from '../../api/client.ts';
import { LanguageSwitch } from '../../shared/LanguageSwitch.tsx';
import { useLogin, useMe, type LoginInput } from './api.ts';

/** Only same-site paths are followed after sign-in, so a crafted link cannot bounce users elsewhere. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const me = useMe();
  const login = useLogin();
  const [error, setError] = useState<string | null>(null);
  const location = useLocation();
  // RequireAuth keeps the page's fragment on the login URL; it goes back on the page after sign-in.
  const next = safeNext(params.get('next')) + location.hash;

  if (me.data) return <Navigate to={next} replace />;

  const onFinish = (values: LoginInput) => {
    setError(null);
    login.mutate(
      { username: values.username.trim(), password: values.password },
      {
        onSuccess: () => void navigate(next, { replace: true }),
        // The server's message is already in the user's language (locked account, wrong password…).
        onError: (e) => setError(isApiError(e) ? (e.code === 'network' ? t('errors.network') : errorText(e)) : t('errors.generic')),
      },
    );
  };

  return (
    <Flex vertical align="center" justify="center" style={{ minHeight: '100vh', padding: 16, background: 'linear-gradient(160deg,#1f4e8c 0%,#173a69 45%,#f5f7fa 45%)' }}>
      <Card style={{ width: '100%', maxWidth: 400 }} data-testid="login-card">
        <Flex justify="space-between" align="start">
          <div>
            <Typography.Title level={3} style={{ margin: 0 }}>
              SafeLoop
            </Typography.Title>
            <Typography.Text type="secondary">{t('app.title')}</Typography.Text>
          </div>
          <LanguageSwitch />
        </Flex>
        <Typography.Paragraph style={{ marginTop: 16 }}>{t('login.subtitle')}</Typography.Paragraph>
        {error ? <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="login-error" /> : null}
        <Form<LoginInput> layout="vertical" onFinish={onFinish} requiredMark={false} size="large" autoComplete="on">
          <Form.Item name="username" label={t('login.username')} rules={[{ required: true, whitespace: true, message: t('login.usernameRequired') }]}>
            <Input prefix={<UserOutlined />} placeholder={t('login.usernamePlaceholder')} autoComplete="username" autoCapitalize="off" maxLength={100} />
          </Form.Item>
          <Form.Item name="password" label={t('login.password')} rules={[{ required: true, message: t('login.passwordRequired') }]}>
            <Input.Password prefix={<LockOutlined />} autoComplete="current-password" maxLength={200} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending} data-testid="login-submit">
            {t('login.submit')}
          </Button>
        </Form>
      </Card>
      <Typography.Text type="secondary" style={{ marginTop: 16, fontSize: 12 }}>
        {t('login.footer')}
      </Typography.Text>
    </Flex>
  );
}
