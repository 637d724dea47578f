import { PlusOutlined } from '@ant-design/icons';
import { Alert, Button, Card, DatePicker, Drawer, Flex, Form, Input, InputNumber, Modal, QRCode, Result, Select, Spin, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan } from '../../app/session.ts';
import { isApiError } from '../../api/client.ts';
import { formatTime as formatDateTime } from '../../shared/format.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { PersonPicker } from './CertificateForm.tsx';
import { useAttendance, useCourses, useCreateSession, useRecordAttendance, useSessions, useSignIn, type Session } from './planApi.ts';

/**
 * Classroom sessions (线下培训): the schedule, a new session's sign-in QR code (shown once: the server keeps
 * only the token's hash), and each session's attendance sheet with sign-in by the organiser for people
 * without a phone.
 */
export function SessionsPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const sessions = useSessions();
  const [creating, setCreating] = useState(false);
  const [qr, setQr] = useState<{ title: string; url: string } | null>(null);
  const [sheet, setSheet] = useState<Session | null>(null);
  return (
    <>
      <PageHeader
        title={t('training.sessions.title')}
        sub={t('training.sessions.subtitle')}
        extra={
          can('training:write') ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)} data-testid="session-add">
              {t('training.sessions.add')}
            </Button>
          ) : null
        }
      />
      {sessions.error ? <QueryError error={sessions.error} onRetry={() => void sessions.refetch()} /> : null}
      <Table<Session>
        rowKey="id"
        size="small"
        loading={sessions.isLoading}
        dataSource={sessions.data?.items ?? []}
        pagination={{ pageSize: 20, showSizeChanger: false }}
        scroll={{ x: 720 }}
        data-testid="session-table"
        columns={[
          { title: t('training.sessions.time'), dataIndex: 'startsAt', width: 150, render: (v: string) => formatDateTime(v) },
          { title: t('training.sessions.name'), dataIndex: 'title' },
          { title: t('training.sessions.trainer'), dataIndex: 'trainer', width: 120 },
          { title: t('training.sessions.location'), dataIndex: 'location', width: 160 },
          { title: t('training.sessions.hours'), dataIndex: 'hours', width: 60 },
          { title: t('training.sessions.attendees'), dataIndex: 'attendees', width: 80, render: (n: number, s) => <Typography.Link onClick={() => setSheet(s)} data-testid="session-attendance">{n}</Typography.Link> },
        ]}
      />
      <NewSessionModal open={creating} onClose={() => setCreating(false)} onCreated={(title, path) => setQr({ title, url: `${window.location.origin}${path}` })} />
      <Modal open={qr !== null} title={t('training.sessions.qr')} onCancel={() => setQr(null)} footer={<Button onClick={() => window.print()}>🖨</Button>}>
        {qr ? (
          <Flex vertical align="center" gap={12} data-testid="session-qr">
            <Typography.Title level={4}>{qr.title}</Typography.Title>
            <QRCode value={qr.url} size={240} />
            <Alert type="info" showIcon title={t('training.sessions.qrHint')} />
          </Flex>
        ) : null}
      </Modal>
      <AttendanceDrawer session={sheet} onClose={() => setSheet(null)} />
    </>
  );
}

function NewSessionModal({ open, onClose, onCreated }: { open: boolean; onClose: () => void; onCreated: (title: string, path: string) => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ title: string; trainer: string; location: string; range: [Dayjs, Dayjs]; hours: number; courseId?: string }>();
  const create = useCreateSession();
  const courses = useCourses();
  const showError = useApiError();
  return (
    <Modal
      open={open}
      title={t('training.sessions.add')}
      onCancel={onClose}
      confirmLoading={create.isPending}
      destroyOnHidden
      onOk={() =>
        void form.validateFields().then(({ range, ...v }) =>
          create.mutate(
            { ...v, courseId: v.courseId ?? null, startsAt: range[0].toISOString(), endsAt: range[1].toISOString() },
            {
              onSuccess: (s) => {
                form.resetFields();
                onClose();
                onCreated(s.title, s.signInPath);
              },
              onError: (e) => showError(e, { form }),
            },
          ),
        )
      }
    >
      <Form form={form} layout="vertical" initialValues={{ hours: 2 }}>
        <Form.Item name="title" label={t('training.sessions.name')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
          <Input data-testid="session-title" />
        </Form.Item>
        <Flex gap={8} wrap>
          <Form.Item name="trainer" label={t('training.sessions.trainer')} rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="location" label={t('training.sessions.location')} rules={[{ required: true, whitespace: true }]}>
            <Input />
          </Form.Item>
        </Flex>
        <Form.Item name="range" label={t('training.sessions.time')} rules={[{ required: true }]}>
          <DatePicker.RangePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" />
        </Form.Item>
        <Flex gap={8} wrap>
          <Form.Item name="hours" label={t('training.sessions.hours')} rules={[{ required: true }]}>
            <InputNumber min={0} max={100} />
          </Form.Item>
          <Form.Item name="courseId" label={t('training.sessions.course')} style={{ minWidth: 220 }}>
            <Select allowClear options={(courses.data?.items ?? []).map((c) => ({ value: c.id, label: c.title }))} />
          </Form.Item>
        </Flex>
      </Form>
    </Modal>
  );
}

function AttendanceDrawer({ session, onClose }: { session: Session | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { can } = useCan();
  const list = useAttendance(session?.id ?? null);
  const record = useRecordAttendance(session?.id ?? '');
  const showError = useApiError();
  const [personId, setPersonId] = useState<string | undefined>();
  return (
    <Drawer open={session !== null} onClose={onClose} title={`${t('training.sessions.attendance')} · ${session?.title ?? ''}`} size={560}>
      {can('training:write') ? (
        <Flex gap={8} style={{ marginBottom: 12 }}>
          <div style={{ flex: 1 }}>
            <PersonPicker value={personId} onChange={setPersonId} testId="attendance-person" />
          </div>
          <Button disabled={!personId} loading={record.isPending} onClick={() => personId && record.mutate(personId, { onSuccess: () => setPersonId(undefined), onError: (e) => showError(e) })}>
            {t('training.sessions.manual')}
          </Button>
        </Flex>
      ) : null}
      <Table
        rowKey="personId"
        size="small"
        loading={list.isLoading}
        dataSource={list.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('training.sessions.person'), dataIndex: 'personName', render: (v: string, r: { personId: string }) => <Link to={`/training/people/${r.personId}`}>{v}</Link> },
          { title: '', dataIndex: 'orgUnitName' },
          { title: t('training.sessions.signedAt'), dataIndex: 'signedAt', render: (v: string) => formatDateTime(v) },
          { title: '', dataIndex: 'via', render: (v: 'qr' | 'manual') => <Tag>{t(`training.sessions.via.${v}`)}</Tag> },
        ]}
      />
    </Drawer>
  );
}

/** `/training/sign-in#<token>`: what the printed QR code opens on a phone; signs the signed-in person in. */
export function SessionSignInPage() {
  const { t } = useTranslation();
  const signIn = useSignIn();
  const token = window.location.hash.slice(1);
  const started = useRef(false);
  useEffect(() => {
    if (started.current || token.length < 10) return;
    started.current = true;
    signIn.mutate(token);
  }, [token, signIn]);
  if (token.length < 10) return <Result status="warning" title={t('training.sessions.noToken')} />;
  if (signIn.isPending || signIn.isIdle) return <Spin tip={t('training.sessions.signingIn')} fullscreen={false} />;
  if (signIn.error) return <Result status="error" title={t('training.sessions.signIn')} subTitle={isApiError(signIn.error) ? signIn.error.problem.detail : String(signIn.error)} data-testid="sign-in-error" />;
  const r = signIn.data!;
  return (
    <Card>
      <Result status="success" title={t('training.sessions.signedIn', { title: r.session.title })} subTitle={r.already ? t('training.sessions.already', { time: formatDateTime(r.signedAt) }) : `${r.session.location} · ${formatDateTime(r.session.startsAt)}`} data-testid="sign-in-ok" />
    </Card>
  );
}
