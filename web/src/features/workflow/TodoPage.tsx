import { UserSwitchOutlined } from '@ant-design/icons';
import { Button, Tabs } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { PageHeader } from '../../shared/PageHeader.tsx';
import type { TaskTab } from './api.ts';
import { DelegationDialog } from './DelegationDialog.tsx';
import { InstanceDrawer } from './InstanceDrawer.tsx';
import { MyRequestsList } from './MyRequestsList.tsx';
import { TaskList } from './TaskList.tsx';

type Tab = TaskTab | 'mine';
const taskTabs: readonly TaskTab[] = ['pending', 'done', 'cc'];

/** 我的待办: approvals from every module waiting for me, those I handled or got a copy of, and my own requests. */
export function TodoPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('pending');
  const [open, setOpen] = useState<string | null>(null);
  const [delegating, setDelegating] = useState(false);
  return (
    <>
      <PageHeader
        title={t('workflow.todo.title')}
        sub={t('workflow.todo.subtitle')}
        extra={
          <Button icon={<UserSwitchOutlined />} onClick={() => setDelegating(true)} data-testid="delegation-open">
            {t('workflow.todo.delegation')}
          </Button>
        }
      />
      <Tabs
        activeKey={tab}
        onChange={(k) => setTab(k === 'done' || k === 'cc' || k === 'mine' ? k : 'pending')}
        items={[
          ...taskTabs.map((k) => ({ key: k, label: <span data-testid={`todo-tab-${k}`}>{t(`workflow.todo.tabs.${k}`)}</span>, children: <TaskList tab={k} active={tab === k} onOpen={setOpen} /> })),
          { key: 'mine', label: <span data-testid="todo-tab-mine">{t('workflow.todo.tabs.mine')}</span>, children: <MyRequestsList active={tab === 'mine'} onOpen={setOpen} /> },
        ]}
      />
      <InstanceDrawer instanceId={open} onClose={() => setOpen(null)} />
      <DelegationDialog open={delegating} onClose={() => setDelegating(false)} />
    </>
  );
}
