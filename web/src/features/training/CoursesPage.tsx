import { DeleteOutlined, EditOutlined, PlusOutlined, UploadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Flex, Form, Input, InputNumber, Modal, Progress, Row, Select, Space, Switch, Tag, Typography, Upload } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { useApiError } from '../../shared/useApiError.ts';
import { useTrainingFile } from './examApi.ts';
import { uploadFile, useCourses, useSaveCourse, type Course } from './planApi.ts';

type MaterialKind = Course['materials'][number]['kind'];

/**
 * Courses (课程学习): every learner sees the active courses with their own progress and hours; exam setters
 * (training:write) also add and edit courses with their materials — video, PDF, slides (as PDF) uploaded
 * through the files platform, or text.
 */
export function CoursesPage() {
  const { t } = useTranslation();
  const { can } = useCan();
  const courses = useCourses();
  const file = useTrainingFile(null, true);
  const [editing, setEditing] = useState<Course | 'new' | null>(null);
  const canWrite = can('training:write');
  const list = courses.data?.items ?? [];
  return (
    <>
      <PageHeader
        title={t('training.courses.title')}
        sub={file.data ? t('training.courses.myHours', { hours: file.data.totalHours }) : t('training.courses.subtitle')}
        extra={
          canWrite ? (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')} data-testid="course-add">
              {t('training.courses.add')}
            </Button>
          ) : null
        }
      />
      {courses.error ? <QueryError error={courses.error} onRetry={() => void courses.refetch()} /> : null}
      {list.length === 0 && !courses.isLoading ? <Empty description={t('training.courses.empty')} /> : null}
      <Row gutter={[12, 12]} data-testid="course-list">
        {list.map((c) => {
          const p = c.progress;
          const minutes = Math.floor((p?.secondsCredited ?? 0) / 60);
          return (
            <Col key={c.id} xs={24} sm={12} lg={8}>
              <Card
                size="small"
                title={c.title}
                extra={canWrite ? <Button size="small" type="text" icon={<EditOutlined />} onClick={() => setEditing(c)} aria-label={t('training.courses.edit')} /> : null}
                actions={[
                  <Link key="learn" to={`/training/courses/${c.id}`} data-testid="course-learn">
                    {p?.completedAt ? t('training.courses.open') : p ? t('training.courses.continue') : t('training.courses.learn')}
                  </Link>,
                ]}
                data-testid="course-card"
              >
                <Flex gap={6} wrap style={{ marginBottom: 8 }}>
                  <Tag>{c.category}</Tag>
                  <Tag color="blue">
                    {c.creditHours} {t('training.courses.creditHours')}
                  </Tag>
                  {!c.active ? <Tag>{t('training.courses.inactive')}</Tag> : null}
                  {p?.completedAt ? <Tag color="success">{t('training.courses.completed')}</Tag> : null}
                </Flex>
                <Progress percent={p?.percent ?? 0} size="small" />
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {p ? t('training.courses.progress', { minutes, required: c.requiredMinutes }) : t('training.courses.notStarted')}
                </Typography.Text>
              </Card>
            </Col>
          );
        })}
      </Row>
      {editing ? <CourseEditor course={editing === 'new' ? null : editing} onClose={() => setEditing(null)} /> : null}
    </>
  );
}

interface MaterialForm {
  kind: MaterialKind;
  title: string;
  fileId?: string | null;
  text?: string | null;
}
interface CourseForm {
  title: string;
  category: string;
  description?: string | null;
  requiredMinutes: number;
  creditHours: number;
  active: boolean;
  materials: MaterialForm[];
}

function CourseEditor({ course, onClose }: { course: Course | null; onClose: () => void }) {
  const { t } = useTranslation();
  const [form] = Form.useForm<CourseForm>();
  const save = useSaveCourse();
  const showError = useApiError();
  const [uploading, setUploading] = useState<number | null>(null);
  const initial: CourseForm = course
    ? { title: course.title, category: course.category, description: course.description, requiredMinutes: course.requiredMinutes, creditHours: course.creditHours, active: course.active, materials: course.materials.map((m) => ({ kind: m.kind, title: m.title, fileId: m.fileId, text: m.text })) }
    : { title: '', category: '', requiredMinutes: 30, creditHours: 2, active: true, materials: [{ kind: 'text', title: '', text: '' }] };
  const submit = (v: CourseForm) => {
    const materials = v.materials.map((m) => (m.kind === 'text' ? { kind: m.kind, title: m.title, text: m.text ?? '' } : { kind: m.kind, title: m.title, fileId: m.fileId ?? null }));
    const body = { ...v, materials, ...(course ? { version: course.version } : {}) };
    save.mutate({ id: course?.id ?? null, body }, { onSuccess: onClose, onError: (e) => showError(e, { form }) });
  };
  return (
    <Modal open title={course ? t('training.courses.edit') : t('training.courses.add')} onCancel={onClose} confirmLoading={save.isPending} width={720} onOk={() => void form.validateFields().then(submit)} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="title" label={t('training.courses.name')} rules={[{ required: true, whitespace: true }, { max: 200 }]}>
          <Input data-testid="course-title" />
        </Form.Item>
        <Flex gap={8} wrap>
          <Form.Item name="category" label={t('training.courses.category')} rules={[{ required: true, whitespace: true }, { max: 60 }]}>
            <Input style={{ width: 160 }} data-testid="course-category" />
          </Form.Item>
          <Form.Item name="requiredMinutes" label={t('training.courses.requiredMinutes')} rules={[{ required: true }]}>
            <InputNumber min={1} max={6000} />
          </Form.Item>
          <Form.Item name="creditHours" label={t('training.courses.creditHours')} rules={[{ required: true }]}>
            <InputNumber min={0} max={200} />
          </Form.Item>
          <Form.Item name="active" label={t('training.courses.active')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Flex>
        <Form.Item name="description" label={t('training.courses.description')}>
          <Input.TextArea rows={2} maxLength={2000} />
        </Form.Item>
        <Typography.Title level={5}>{t('training.courses.materials')}</Typography.Title>
        <Form.List name="materials">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Card key={f.key} size="small" style={{ marginBottom: 8 }}>
                  <Flex gap={8} wrap align="start">
                    <Form.Item name={[f.name, 'kind']} rules={[{ required: true }]} style={{ marginBottom: 8 }}>
                      <Select style={{ width: 140 }} options={(['video', 'pdf', 'slides', 'text'] as const).map((k) => ({ value: k, label: t(`training.courses.materialKind.${k}`) }))} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'title']} rules={[{ required: true, whitespace: true }]} style={{ flex: 1, minWidth: 160, marginBottom: 8 }}>
                      <Input placeholder={t('training.courses.materialTitle')} />
                    </Form.Item>
                    <Button icon={<DeleteOutlined />} onClick={() => remove(f.name)} aria-label="remove" />
                  </Flex>
                  <Form.Item noStyle shouldUpdate>
                    {() => {
                      const kind = form.getFieldValue(['materials', f.name, 'kind']) as MaterialKind;
                      const fileId = form.getFieldValue(['materials', f.name, 'fileId']) as string | null | undefined;
                      if (kind === 'text')
                        return (
                          <Form.Item name={[f.name, 'text']} rules={[{ required: true, whitespace: true }]} style={{ marginBottom: 0 }}>
                            <Input.TextArea rows={3} placeholder={t('training.courses.text')} maxLength={20000} />
                          </Form.Item>
                        );
                      return (
                        <Space>
                          <Upload
                            showUploadList={false}
                            accept={kind === 'video' ? 'video/*' : 'application/pdf'}
                            beforeUpload={(file) => {
                              setUploading(i);
                              uploadFile(file)
                                .then((up) => form.setFieldValue(['materials', f.name, 'fileId'], up.id))
                                .catch((e: unknown) => showError(e))
                                .finally(() => setUploading(null));
                              return false;
                            }}
                          >
                            <Button icon={<UploadOutlined />} loading={uploading === i}>
                              {t('training.courses.upload')}
                            </Button>
                          </Upload>
                          {fileId ? <Tag color="success">{t('training.courses.uploaded')}</Tag> : null}
                        </Space>
                      );
                    }}
                  </Form.Item>
                  <Form.Item name={[f.name, 'fileId']} hidden>
                    <Input />
                  </Form.Item>
                </Card>
              ))}
              <Button icon={<PlusOutlined />} onClick={() => add({ kind: 'text', title: '', text: '' })}>
                {t('training.courses.addMaterial')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}
