import {
  AlertOutlined,
  BarChartOutlined,
  ApartmentOutlined,
  AuditOutlined,
  CloudUploadOutlined,
  ControlOutlined,
  DatabaseOutlined,
  DashboardOutlined,
  FileExcelOutlined,
  HomeOutlined,
  IdcardOutlined,
  KeyOutlined,
  NodeIndexOutlined,
  QrcodeOutlined,
  ScanOutlined,
  ProfileOutlined,
  SafetyCertificateOutlined,
  ScheduleOutlined,
  TeamOutlined,
  UserSwitchOutlined,
} from '@ant-design/icons';
import { lazy, type ComponentType, type LazyExoticComponent, type ReactNode } from 'react';
import type { TFunction } from 'i18next';
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
const HazardTasksPage = lazy(() => import('../features/hazards/TasksPage.tsx').then((m) => ({ default: m.TasksPage })));
const HazardReportPage = lazy(() => import('../features/hazards/ReportPage.tsx').then((m) => ({ default: m.ReportPage })));
const HazardLedgerPage = lazy(() => import('../features/hazards/LedgerPage.tsx').then((m) => ({ default: m.LedgerPage })));
const HazardDetailPage = lazy(() => import('../features/hazards/DetailPage.tsx').then((m) => ({ default: m.DetailPage })));
const HazardImportPage = lazy(() => import('../features/hazards/HazardImportPage.tsx').then((m) => ({ default: m.HazardImportPage })));
const HazardConfigPage = lazy(() => import('../features/hazardAdmin/HazardConfigPage.tsx').then((m) => ({ default: m.HazardConfigPage })));
const CertificatesPage = lazy(() => import('../features/training/CertificatesPage.tsx').then((m) => ({ default: m.CertificatesPage })));
const PersonCertificatesPage = lazy(() => import('../features/training/PersonCertificatesPage.tsx').then((m) => ({ default: m.PersonCertificatesPage })));
const MyCertificatesPage = lazy(() => import('../features/training/PersonCertificatesPage.tsx').then((m) => ({ default: m.MyCertificatesPage })));
const RiskRegisterPage = lazy(() => import('../features/risks/RegisterPage.tsx').then((m) => ({ default: m.RegisterPage })));
const RiskConfigPage = lazy(() => import('../features/risks/RiskConfigPage.tsx').then((m) => ({ default: m.RiskConfigPage })));
const EquipmentLedgerPage = lazy(() => import('../features/equipment/LedgerPage.tsx').then((m) => ({ default: m.LedgerPage })));
const CheckpointsPage = lazy(() => import('../features/equipment/CheckpointsPage.tsx').then((m) => ({ default: m.CheckpointsPage })));
const CheckpointScanPage = lazy(() => import('../features/equipment/ScanPage.tsx').then((m) => ({ default: m.ScanPage })));
const HazardFiguresPage = lazy(() => import('../features/hazardAdmin/HazardFiguresPage.tsx').then((m) => ({ default: m.HazardFiguresPage })));

type MenuKey = keyof Messages['menu'] & ('home' | 'org' | 'people' | 'positions' | 'roles' | 'users' | 'tokens' | 'audit' | 'import');
/** Pages whose menu label lives in their feature's messages (see `label`), not in `menu`. */
type FeaturePageKey = 'hazardTasks' | 'hazardReport' | 'hazardLedger' | 'hazardDetail' | 'hazardImport' | 'hazardConfig' | 'hazardFigures' | 'certificates' | 'personCertificates' | 'myCertificates' | 'riskRegister' | 'riskConfig' | 'equipmentLedger' | 'checkpoints' | 'checkpointScan';
export type PageKey = MenuKey | FeaturePageKey;

export interface PageDef {
  key: PageKey;
  path: string;
  icon: ReactNode;
  /** Who may open it: null = every signed-in user, else any one of these permissions. */
  anyOf: readonly string[] | null;
  /** 'hidden': routed but not listed in the menu or on the home page (detail pages with an :id). */
  section: 'main' | 'admin' | 'hidden';
  component: LazyExoticComponent<ComponentType>;
  /** Menu label from a feature's messages; without it `menu.<key>`. */
  label?: (t: TFunction) => string;
}

/** The menu / home-page label of a page. */
export function pageLabel(p: PageDef, t: TFunction): string {
  return p.label ? p.label(t) : t(`menu.${p.key as MenuKey}`);
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
  // Hazards (issue 4): the field worker's first stop is "my tasks"; reporting is one tap from there.
  { key: 'hazardTasks', path: '/hazards/tasks', icon: <ScheduleOutlined />, anyOf: ['hazard:read'], section: 'main', component: HazardTasksPage, label: (t) => t('hazards.menu.tasks') },
  { key: 'hazardReport', path: '/hazards/report', icon: <AlertOutlined />, anyOf: ['hazard:report'], section: 'main', component: HazardReportPage, label: (t) => t('hazards.menu.report') },
  { key: 'hazardLedger', path: '/hazards', icon: <ProfileOutlined />, anyOf: ['hazard:read'], section: 'main', component: HazardLedgerPage, label: (t) => t('hazards.menu.ledger') },
  { key: 'hazardDetail', path: '/hazards/:id', icon: <ProfileOutlined />, anyOf: ['hazard:read'], section: 'hidden', component: HazardDetailPage, label: (t) => t('hazards.menu.detail') },
  { key: 'hazardImport', path: '/hazards/import', icon: <FileExcelOutlined />, anyOf: ['hazard:import'], section: 'admin', component: HazardImportPage, label: (t) => t('hazards.menu.import') },
  // Hazard figures for every reader (narrowed by data scope); configuration for the safety director.
  { key: 'hazardFigures', path: '/hazards/figures', icon: <BarChartOutlined />, anyOf: ['hazard:read'], section: 'main', component: HazardFiguresPage, label: (t) => t('hazardAdmin.menu.figures') },
  { key: 'hazardConfig', path: '/hazards/config', icon: <ControlOutlined />, anyOf: ['hazard:configure'], section: 'admin', component: HazardConfigPage, label: (t) => t('hazardAdmin.menu.config') },
  // Certificates (issue 7): the register for the safety office and department heads; everyone sees their own.
  { key: 'certificates', path: '/training/certificates', icon: <SafetyCertificateOutlined />, anyOf: ['training:write'], section: 'main', component: CertificatesPage, label: (t) => t('training.menu.certificates') },
  { key: 'personCertificates', path: '/training/people/:id', icon: <SafetyCertificateOutlined />, anyOf: ['training:read'], section: 'hidden', component: PersonCertificatesPage, label: (t) => t('training.menu.person') },
  { key: 'myCertificates', path: '/training/my', icon: <IdcardOutlined />, anyOf: null, section: 'main', component: MyCertificatesPage, label: (t) => t('training.menu.mine') },
  // Risk register (issue 5): everyone with risk:read sees their part of it; methods and bands for the safety director.
  { key: 'riskRegister', path: '/risks', icon: <NodeIndexOutlined />, anyOf: ['risk:read'], section: 'main', component: RiskRegisterPage, label: (t) => t('risks.menu.register') },
  { key: 'riskConfig', path: '/risks/config', icon: <DashboardOutlined />, anyOf: ['risk:configure'], section: 'admin', component: RiskConfigPage, label: (t) => t('risks.menu.config') },
  // Equipment and checkpoints (issue 5): the register for everyone in their scope; QR labels for checkpoint:manage;
  // /s#<code> is what a printed checkpoint label opens on a phone (routed, not in the menu).
  { key: 'equipmentLedger', path: '/equipment', icon: <DatabaseOutlined />, anyOf: ['equipment:read'], section: 'main', component: EquipmentLedgerPage, label: (t) => t('equipment.menu.ledger') },
  { key: 'checkpoints', path: '/equipment/checkpoints', icon: <QrcodeOutlined />, anyOf: ['equipment:read'], section: 'main', component: CheckpointsPage, label: (t) => t('equipment.menu.checkpoints') },
  { key: 'checkpointScan', path: '/s', icon: <ScanOutlined />, anyOf: ['equipment:read'], section: 'hidden', component: CheckpointScanPage, label: (t) => t('equipment.menu.scan') },
  { key: 'import', path: '/admin/import', icon: <CloudUploadOutlined />, anyOf: ['people:import'], section: 'admin', component: ImportPage },
];
