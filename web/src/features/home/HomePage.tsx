import { Card, Col, Descriptions, Empty, Row, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { pageLabel, pages } from '../../app/pages.tsx';
import { useCan, useSession } from '../../app/session.ts';
import { useDataScopeLabel, useOrgKindLabel, useRoleLabel } from '../../shared/labels.ts';
import { UnreadCard } from './UnreadCard.tsx';

function greetingKey(hour: number): 'home.morning' | 'home.afternoon' | 'home.evening' {
  if (hour < 12) return 'home.morning';
  if (hour < 18) return 'home.afternoon';
  return 'home.evening';
}

/** Who I am, what is waiting for me, and where I may go — only real data, nothing made up. */
export function HomePage() {
  const { t } = useTranslation();
  const me = useSession();
  const { canAny } = useCan();
  const roleLabel = useRoleLabel();
  const kindLabel = useOrgKindLabel();
  const scopeLabel = useDataScopeLabel();
  const links = pages.filter((p) => p.key !== 'home' && p.section !== 'hidden' && canAny(p.anyOf));

  return (
    <div data-testid="home-page">
      <Typography.Title level={3} style={{ marginTop: 0 }} data-testid="page-title">
        {t(greetingKey(dayjs().hour()), { name: me.displayName })}
      </Typography.Title>
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={12}>
          <Card title={t('home.aboutMe')} data-testid="home-me">
            <Descriptions column={1} size="small">
              <Descriptions.Item label={t('home.username')}>{me.username}</Descriptions.Item>
              <Descriptions.Item label={t('home.orgUnit')}>
                {me.orgUnit ? (
                  <>
                    {me.orgUnit.name} <Tag>{kindLabel(me.orgUnit.kind)}</Tag>
                  </>
                ) : (
                  <Typography.Text type="secondary">{t('home.notAssigned')}</Typography.Text>
                )}
              </Descriptions.Item>
              <Descriptions.Item label={t('home.position')}>
                {me.position?.name ?? <Typography.Text type="secondary">{t('home.notAssigned')}</Typography.Text>}
              </Descriptions.Item>
              <Descriptions.Item label={t('home.roles')}>
                <span data-testid="home-roles">
                  {me.roles.length > 0 ? me.roles.map((r) => <Tag key={r} color="blue">{roleLabel(r)}</Tag>) : t('home.noRoles')}
                </span>
              </Descriptions.Item>
              <Descriptions.Item label={t('home.dataScope')}>{scopeLabel(me.dataScope.scope)}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <UnreadCard />
        </Col>
        <Col xs={24}>
          <Card title={t('home.quickLinks')} data-testid="home-links">
            {links.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('home.noLinks')} />
            ) : (
              <Row gutter={[12, 12]}>
                {links.map((p) => (
                  <Col key={p.key} xs={12} sm={8} md={6} xl={4}>
                    <Link to={p.path} data-testid={`quick-${p.key}`}>
                      <Card hoverable size="small" style={{ textAlign: 'center', minHeight: 88 }}>
                        <div style={{ fontSize: 24, color: '#1f5fbf' }}>{p.icon}</div>
                        <div>{pageLabel(p, t)}</div>
                      </Card>
                    </Link>
                  </Col>
                ))}
              </Row>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
