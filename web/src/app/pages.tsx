import {
  ApartmentOutlined,
  AuditOutlined,
  CloudUploadOutlined,
  HomeOutlined,
  IdcardOutlined,
  KeyOutlined,
  SafetyCertificateOutlined,
  TeamOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import type { Messages } from '../i18n/zh-CN.ts';

// One chunk per page: the first load carries only the shell; a worker on a phone never downloads the
// roles editor. React.lazy needs a default export, so each named export is wrapped here.
const HomePage = lazy(() => import('../features/home/HomePage.tsx').then((m) => ({ default: m.HomePage })));
const OrgPage = lazy(() => import('../features/org/OrgPage.tsx').then((m) => ({ default: m.OrgPage })));
const PeoplePage = lazy(() => import('../features/people/PeoplePage.tsx').then((m) => ({ default: m.PeoplePage })));
const PositionsPage = lazy(() => import('../features/positions/PositionsPage.tsx').then((m) => ({ default: m.PositionsPage })));
const RolesPage = lazy(() => import('../features/roles/RolesPage.tsx').then((m) => ({ default: m.RolesPage })));
const UsersPage = lazy(() => import('../features/users/UsersPage.tsx').then((m) => ({ default: m.UsersPage })));
const TokensPage = lazy(() => import('../features/tokens/TokensPage.tsx').then((m) => ({ default: m.TokensPage })));
const AuditPage = lazy(() => import('../features/audit/AuditPage.tsx').then((m) => ({ default: m.AuditPage })));
const ImportPage = lazy(() => import('../features/import/ImportPage.tsx').then((m) => ({ default: m.ImportPage })));

export type PageKey = keyof Messages['menu'] & ('home' | 'org' | 'people' | 'positions' | 'roles' | 'users' | 'tokens' | 'audit' | 'import');

export interface PageDef {
  key: PageKey;
  path: string;
  icon: ReactNode;
  /** Who may open it: null = every signed-in user, else any one of these permissions. */
  anyOf: readonly string[] | null;
  section: 'main' | 'admin';
  component: LazyExoticComponent<ComponentType>;
}

// Permissions follow docs/api-contract.md: a page is offered when its main list call would succeed.
export const pages: readonly PageDef[] = [
  { key: 'home', path: '/', icon: <HomeOutlined />, anyOf: null, section: 'main', component: HomePage },
  { key: 'org', path: '/admin/org', icon: <ApartmentOutlined />, anyOf: ['org:read'], section: 'admin', component: OrgPage },
  { key: 'people', path: '/admin/people', icon: <TeamOutlined />, anyOf: ['people:read'], section: 'admin', component: PeoplePage },
  { key: 'positions', path: '/admin/positions', icon: <IdcardOutlined />, anyOf: ['org:read'], section: 'admin', component: PositionsPage },
  { key: 'roles', path: '/admin/roles', icon: <SafetyCertificateOutlined />, anyOf: ['roles:read'], section: 'admin', component: RolesPage },
  { key: 'users', path: '/admin/users', icon: <UserSwitchOutlined />, anyOf: ['users:write'], section: 'admin', component: UsersPage },
  { key: 'tokens', path: '/admin/tokens', icon: <KeyOutlined />, anyOf: ['tokens:own', 'tokens:manage'], section: 'admin', component: TokensPage },
  { key: 'audit', path: '/admin/audit', icon: <AuditOutlined />, anyOf: ['audit:read'], section: 'admin', component: AuditPage },
  { key: 'import', path: '/admin/import', icon: <CloudUploadOutlined />, anyOf: ['people:import'], section: 'admin', component: ImportPage },
];
