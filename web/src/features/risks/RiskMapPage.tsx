import { EditOutlined, UploadOutlined } from '@ant-design/icons';
import { App, Button, Card, Empty, Flex, Form, Input, Modal, Select, Space, Spin, Typography, Upload } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorText, isApiError } from '../../api/client.ts';
import { useCan } from '../../app/session.ts';
import { PageHeader } from '../../shared/PageHeader.tsx';
import { QueryError } from '../../shared/QueryError.tsx';
import { AreaSelect } from '../hazards/AreaSelect.tsx';
import { AreaDrawer } from './AreaDrawer.tsx';
import { AreaEditor } from './AreaEditor.tsx';
import { EventDrawer } from './EventDrawer.tsx';
import { MapCanvas } from './MapCanvas.tsx';
import { uploadPlan, useMapView, useRiskMaps, useSaveMap, type MapAreaView, type Point } from './mapApi.ts';

const MAX_PLAN_MB = 10;
const areaFromHash = (hash: string) => /(?:^#|&)area=([0-9a-f-]{36})/i.exec(hash)?.[1] ?? null;

/**
 * 四色图: a site or workshop plan with its areas coloured by their highest risk level, open hazards as
 * markers and a legend; an area opens its risk events and measures. With risk:write: upload a plan and
 * draw areas (click the points, double-click or "finish" to close) linked to risk units.
 */
export function RiskMapPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useCan();
  const maps = useRiskMaps();
  const [mapId, setMapId] = useState<string | null>(null);
  const [areaId, setAreaId] = useState<string | null>(() => areaFromHash(window.location.hash));
  const [eventId, setEventId] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState<Point[] | null>(null);
  const [editor, setEditor] = useState<{ area: MapAreaView | null; polygon: Point[] | null } | null>(null);
  const [creating, setCreating] = useState(false);
  const view = useMapView(mapId);
  const saveMap = useSaveMap();
  const en = i18n.language.startsWith('en');

  useEffect(() => {
    if (mapId === null && maps.data?.items[0]) setMapId(maps.data.items[0].id);
  }, [maps.data, mapId]);

  const fail = (e: unknown) => void message.error(isApiError(e) ? errorText(e) : String(e));
  const upload = async (file: File) => {
    if (!file.type.startsWith('image/')) return void message.error(t('risks.map.imageOnly'));
    if (file.size > MAX_PLAN_MB * 1024 * 1024) return void message.error(t('risks.map.tooLarge', { mb: MAX_PLAN_MB }));
    const m = view.data?.map;
    if (!m) return;
    try {
      const imageFileId = await uploadPlan(file);
      await saveMap.mutateAsync({ id: m.id, body: { imageFileId, version: m.version } });
      message.success(t('risks.map.saved'));
    } catch (e) {
      fail(e);
    }
  };
  const finish = () => {
    if (!draft || draft.length < 3) return void message.warning(t('risks.map.needPoints'));
    setEditor({ area: null, polygon: draft });
    setDraft(null);
  };
  const select = (a: MapAreaView) => {
    if (editing) setEditor({ area: a, polygon: null });
    else {
      setAreaId(a.id);
      window.history.replaceState(null, '', `#area=${a.id}`);
    }
  };

  const items = maps.data?.items ?? [];
  return (
    <>
      <PageHeader
        title={t('risks.map.title')}
        sub={t('risks.map.subtitle')}
        extra={
          <Space wrap>
            <Select style={{ minWidth: 200 }} value={mapId ?? undefined} onChange={(v) => setMapId(v)} options={items.map((m) => ({ value: m.id, label: m.name }))} placeholder={t('risks.map.choose')} data-testid="risk-map-select" />
            {can('risk:write') ? (
              <Button icon={<EditOutlined />} type={editing ? 'primary' : 'default'} onClick={() => (setEditing(!editing), setDraft(null))} data-testid="risk-map-edit">
                {editing ? t('risks.map.doneEditing') : t('risks.map.edit')}
              </Button>
            ) : null}
          </Space>
        }
      />
      {maps.error ? <QueryError error={maps.error} /> : null}
      {view.error ? <QueryError error={view.error} /> : null}
      {maps.isLoading || view.isLoading ? <Spin /> : null}
      {!maps.isLoading && items.length === 0 ? (
        <Empty description={t('risks.map.none')}>
          {can('risk:write') ? (
            <Button type="primary" onClick={() => setCreating(true)}>
              {t('risks.map.newMap')}
            </Button>
          ) : null}
        </Empty>
      ) : null}
      {editing && view.data ? (
        <Card size="small" style={{ marginBottom: 12 }} data-testid="risk-map-toolbar">
          <Space wrap>
            <Upload accept="image/png,image/jpeg,image/webp" showUploadList={false} beforeUpload={(f) => (void upload(f), false)}>
              <Button icon={<UploadOutlined />} loading={saveMap.isPending}>
                {t('risks.map.uploadPlan')}
              </Button>
            </Upload>
            {draft === null ? (
              <Button type="primary" onClick={() => setDraft([])} data-testid="area-draw">
                {t('risks.map.draw')}
              </Button>
            ) : (
              <>
                <Typography.Text>{t('risks.map.drawing', { count: draft.length })}</Typography.Text>
                <Button onClick={() => setDraft(draft.slice(0, -1))} disabled={draft.length === 0}>
                  {t('risks.map.undo')}
                </Button>
                <Button type="primary" onClick={finish} data-testid="area-finish">
                  {t('risks.map.finish')}
                </Button>
                <Button onClick={() => setDraft(null)}>{t('risks.map.cancel')}</Button>
              </>
            )}
            <Button onClick={() => setCreating(true)}>{t('risks.map.newMap')}</Button>
          </Space>
        </Card>
      ) : null}
      {view.data ? (
        <Card size="small" styles={{ body: { padding: 8 } }}>
          <MapCanvas view={view.data} selectedId={areaId} onSelect={select} draft={draft} onAddPoint={(p) => setDraft((d) => [...(d ?? []), p])} onFinish={finish} />
          <Flex wrap gap={12} style={{ marginTop: 8 }} data-testid="risk-map-legend">
            {view.data.legend.map((l) => (
              <Flex key={l.level} align="center" gap={6} data-testid="legend-item" data-level={l.level}>
                <span style={{ width: 16, height: 16, background: l.colour, opacity: 0.8, display: 'inline-block', borderRadius: 3 }} />
                <span>{en ? l.labelEn : l.labelZh}</span>
              </Flex>
            ))}
            <Flex align="center" gap={6}>
              <span style={{ width: 16, height: 16, background: '#cf1322', display: 'inline-block', borderRadius: 8 }} />
              <span>{t('risks.map.hazardMarker')}</span>
            </Flex>
            <Flex align="center" gap={6}>
              <span style={{ width: 16, height: 16, background: '#d46b08', display: 'inline-block', borderRadius: 4 }} />
              <span>{t('risks.map.permitMarker')}</span>
            </Flex>
          </Flex>
        </Card>
      ) : null}
      <AreaDrawer areaId={editing ? null : areaId} onClose={() => (setAreaId(null), window.history.replaceState(null, '', window.location.pathname))} onOpenEvent={setEventId} />
      <EventDrawer eventId={eventId} onClose={() => setEventId(null)} />
      {editor && mapId ? <AreaEditor mapId={mapId} area={editor.area} polygon={editor.polygon} onClose={() => setEditor(null)} /> : null}
      {creating ? <NewMapDialog onClose={(id) => (setCreating(false), id && setMapId(id))} /> : null}
    </>
  );
}

function NewMapDialog({ onClose }: { onClose: (id?: string) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; orgUnitId: string }>();
  const save = useSaveMap();
  const submit = async () => {
    const v = await form.validateFields();
    try {
      const m = await save.mutateAsync({ id: null, body: { name: v.name.trim(), orgUnitId: v.orgUnitId } });
      onClose(m.id);
    } catch (e) {
      void message.error(isApiError(e) ? errorText(e) : String(e));
    }
  };
  return (
    <Modal open title={t('risks.map.newMap')} onCancel={() => onClose()} onOk={submit} okButtonProps={{ loading: save.isPending }}>
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('risks.map.mapName')} rules={[{ required: true, whitespace: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="orgUnitId" label={t('risks.map.mapUnit')} rules={[{ required: true }]}>
          <AreaSelect />
        </Form.Item>
      </Form>
    </Modal>
  );
}
