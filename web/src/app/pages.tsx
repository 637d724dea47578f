import {
  AlertOutlined,
  BarChartOutlined,
  BellOutlined,
  CarryOutOutlined,
  CheckSquareOutlined,
  ForkOutlined,
  ApartmentOutlined,
  ApiOutlined,
  AuditOutlined,
  CloudUploadOutlined,
  ControlOutlined,
  DatabaseOutlined,
  DashboardOutlined,
  FireOutlined,
  FileExcelOutlined,
  HomeOutlined,
  IdcardOutlined,
  KeyOutlined,
  MonitorOutlined,
  NodeIndexOutlined,
  QrcodeOutlined,
  ScanOutlined,
  ProfileOutlined,
  ReadOutlined,
  TableOutlined,
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
const MyExamsPage = lazy(() => import('../features/training/MyExamsPage.tsx').then((m) => ({ default: m.MyExamsPage })));
const ExamAttemptPage = lazy(() => import('../features/training/ExamAttemptPage.tsx').then((m) => ({ default: m.ExamAttemptPage })));
const QuestionBankPage = lazy(() => import('../features/training/QuestionBankPage.tsx').then((m) => ({ default: m.QuestionBankPage })));
const TrainingPlansPage = lazy(() => import('../features/training/PlansPage.tsx').then((m) => ({ default: m.PlansPage })));
const TrainingMatrixPage = lazy(() => import('../features/training/MatrixPage.tsx').then((m) => ({ default: m.MatrixPage })));
const CoursesPage = lazy(() => import('../features/training/CoursesPage.tsx').then((m) => ({ default: m.CoursesPage })));
const CourseLearnPage = lazy(() => import('../features/training/CourseLearnPage.tsx').then((m) => ({ default: m.CourseLearnPage })));
const SessionsPage = lazy(() => import('../features/training/SessionsPage.tsx').then((m) => ({ default: m.SessionsPage })));
const SessionSignInPage = lazy(() => import('../features/training/SessionsPage.tsx').then((m) => ({ default: m.SessionSignInPage })));
const TrainingStatsPage = lazy(() => import('../features/training/StatisticsPage.tsx').then((m) => ({ default: m.StatisticsPage })));
const RiskRegisterPage = lazy(() => import('../features/risks/RegisterPage.tsx').then((m) => ({ default: m.RegisterPage })));
const RiskMapPage = lazy(() => import('../features/risks/RiskMapPage.tsx').then((m) => ({ default: m.RiskMapPage })));
const RiskConfigPage = lazy(() => import('../features/risks/RiskConfigPage.tsx').then((m) => ({ default: m.RiskConfigPage })));
const EquipmentLedgerPage = lazy(() => import('../features/equipment/LedgerPage.tsx').then((m) => ({ default: m.LedgerPage })));
const CheckpointsPage = lazy(() => import('../features/equipment/CheckpointsPage.tsx').then((m) => ({ default: m.CheckpointsPage })));
const CheckpointScanPage = lazy(() => import('../features/equipment/ScanPage.tsx').then((m) => ({ default: m.ScanPage })));
const WorkflowTodoPage = lazy(() => import('../features/workflow/TodoPage.tsx').then((m) => ({ default: m.TodoPage })));
const WorkflowDefinitionsPage = lazy(() => import('../features/workflow/DefinitionsPage.tsx').then((m) => ({ default: m.DefinitionsPage })));
const WorkflowEditorPage = lazy(() => import('../features/workflow/EditorPage.tsx').then((m) => ({ default: m.EditorPage })));
const InspectionMyPage = lazy(() => import('../features/inspections/MyTasksPage.tsx').then((m) => ({ default: m.MyTasksPage })));
const InspectionTaskPage = lazy(() => import('../features/inspections/TaskPage.tsx').then((m) => ({ default: m.TaskPage })));
const InspectionAdminPage = lazy(() => import('../features/inspections/AdminPage.tsx').then((m) => ({ default: m.AdminPage })));
const InspectionOversightPage = lazy(() => import('../features/inspections/OversightPage.tsx').then((m) => ({ default: m.OversightPage })));
const PermitsPage = lazy(() => import('../features/permits/PermitsPage.tsx').then((m) => ({ default: m.PermitsPage })));
const PermitApplyPage = lazy(() => import('../features/permits/ApplyPage.tsx').then((m) => ({ default: m.ApplyPage })));
const PermitDetailPage = lazy(() => import('../features/permits/DetailPage.tsx').then((m) => ({ default: m.DetailPage })));
const PermitRulesPage = lazy(() => import('../features/permits/RulesPage.tsx').then((m) => ({ default: m.RulesPage })));
const PermitVerifyPage = lazy(() => import('../features/permits/VerifyPage.tsx').then((m) => ({ default: m.VerifyPage })));
const NotificationPreferencesPage = lazy(() =>
  import('../features/notifications/NotificationPreferencesPage.tsx').then((m) => ({ default: m.NotificationPreferencesPage })),
);
const IotMonitorPage = lazy(() => import('../features/iot/MonitorPage.tsx').then((m) => ({ default: m.MonitorPage })));
const IotDevicesPage = lazy(() => import('../features/iot/DevicesPage.tsx').then((m) => ({ default: m.DevicesPage })));
const IotLiveMapPage = lazy(() => import('../features/iot/LiveMapPage.tsx').then((m) => ({ default: m.LiveMapPage })));
const IotHealthPage = lazy(() => import('../features/iot/HealthPage.tsx').then((m) => ({ default: m.HealthPage })));
const IotLinkageRulesPage = lazy(() => import('../features/iot/LinkageRulesPage.tsx').then((m) => ({ default: m.LinkageRulesPage })));
const HazardFiguresPage = lazy(() => import('../features/hazardAdmin/HazardFiguresPage.tsx').then((m) => ({ default: m.HazardFiguresPage })));

type MenuKey = keyof Messages['menu'] & ('home' | 'org' | 'people' | 'positions' | 'roles' | 'users' | 'tokens' | 'audit' | 'import');
/** Pages whose menu label lives in their feature's messages (see `label`), not in `menu`. */
type FeaturePageKey = 'hazardTasks' | 'hazardReport' | 'hazardLedger' | 'hazardDetail' | 'hazardImport' | 'hazardConfig' | 'hazardFigures' | 'certificates' | 'personCertificates' | 'myCertificates' | 'myExams' | 'examAttempt' | 'questionBank' | 'trainingPlans' | 'trainingMatrix' | 'courses' | 'courseLearn' | 'sessions' | 'sessionSignIn' | 'trainingStats' | 'riskRegister' | 'riskMap' | 'riskConfig' | 'equipmentLedger' | 'checkpoints' | 'checkpointScan' | 'workflowTodo' | 'workflowDefinitions' | 'workflowEditor' | 'inspectionMy' | 'inspectionTask' | 'inspectionAdmin' | 'inspectionOversight' | 'permits' | 'permitApply' | 'permitDetail' | 'permitVerify' | 'permitRules' | 'iotMonitor' | 'iotDevices' | 'iotMap' | 'iotHealth' | 'iotLinkage' | 'notificationPreferences';
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
  { key: 'myExams', path: '/training/exams', icon: <CheckSquareOutlined />, anyOf: null, section: 'main', component: MyExamsPage, label: (t) => t('training.exams.menu') },
  { key: 'examAttempt', path: '/training/attempts/:id', icon: <CheckSquareOutlined />, anyOf: null, section: 'hidden', component: ExamAttemptPage, label: (t) => t('training.exams.result') },
  { key: 'questionBank', path: '/training/questions', icon: <ProfileOutlined />, anyOf: ['training:write'], section: 'main', component: QuestionBankPage, label: (t) => t('training.exams.bankMenu') },
  // Courses for every learner; plans, matrix and statistics for readers of training (narrowed by data scope);
  // classroom sessions for organisers; /training/sign-in#<token> is what a session's printed QR code opens.
  { key: 'courses', path: '/training/courses', icon: <ReadOutlined />, anyOf: null, section: 'main', component: CoursesPage, label: (t) => t('training.menu.courses') },
  { key: 'courseLearn', path: '/training/courses/:id', icon: <ReadOutlined />, anyOf: null, section: 'hidden', component: CourseLearnPage, label: (t) => t('training.menu.course') },
  { key: 'trainingPlans', path: '/training/plans', icon: <ScheduleOutlined />, anyOf: ['training:write'], section: 'main', component: TrainingPlansPage, label: (t) => t('training.menu.plans') },
  { key: 'trainingMatrix', path: '/training/matrix', icon: <TableOutlined />, anyOf: ['training:write'], section: 'main', component: TrainingMatrixPage, label: (t) => t('training.menu.matrix') },
  { key: 'sessions', path: '/training/sessions', icon: <TeamOutlined />, anyOf: ['training:write'], section: 'main', component: SessionsPage, label: (t) => t('training.menu.sessions') },
  { key: 'sessionSignIn', path: '/training/sign-in', icon: <ScanOutlined />, anyOf: null, section: 'hidden', component: SessionSignInPage, label: (t) => t('training.menu.signIn') },
  { key: 'trainingStats', path: '/training/statistics', icon: <BarChartOutlined />, anyOf: ['training:write'], section: 'main', component: TrainingStatsPage, label: (t) => t('training.menu.stats') },
  // Risk register (issue 5): everyone with risk:read sees their part of it; methods and bands for the safety director.
  { key: 'riskRegister', path: '/risks', icon: <NodeIndexOutlined />, anyOf: ['risk:read'], section: 'main', component: RiskRegisterPage, label: (t) => t('risks.menu.register') },
  { key: 'riskMap', path: '/risks/map', icon: <NodeIndexOutlined />, anyOf: ['risk:read'], section: 'main', component: RiskMapPage, label: (t) => t('risks.menu.map') },
  { key: 'riskConfig', path: '/risks/config', icon: <DashboardOutlined />, anyOf: ['risk:configure'], section: 'admin', component: RiskConfigPage, label: (t) => t('risks.menu.config') },
  // Equipment and checkpoints (issue 5): the register for everyone in their scope; QR labels for checkpoint:manage;
  // /s#<code> is what a printed checkpoint label opens on a phone (routed, not in the menu).
  { key: 'equipmentLedger', path: '/equipment', icon: <DatabaseOutlined />, anyOf: ['equipment:read'], section: 'main', component: EquipmentLedgerPage, label: (t) => t('equipment.menu.ledger') },
  { key: 'checkpoints', path: '/equipment/checkpoints', icon: <QrcodeOutlined />, anyOf: ['equipment:read'], section: 'main', component: CheckpointsPage, label: (t) => t('equipment.menu.checkpoints') },
  { key: 'checkpointScan', path: '/s', icon: <ScanOutlined />, anyOf: ['equipment:read'], section: 'hidden', component: CheckpointScanPage, label: (t) => t('equipment.menu.scan') },
  // Inspections (issue 5): the worker's checks of today, the check flow, plans for planners, rates for oversight.
  { key: 'inspectionMy', path: '/inspections/my', icon: <CarryOutOutlined />, anyOf: ['inspection:perform'], section: 'main', component: InspectionMyPage, label: (t) => t('inspections.menu.my') },
  { key: 'inspectionTask', path: '/inspections/tasks/:id', icon: <CarryOutOutlined />, anyOf: ['inspection:read'], section: 'hidden', component: InspectionTaskPage, label: (t) => t('inspections.menu.task') },
  { key: 'inspectionAdmin', path: '/inspections/plans', icon: <CarryOutOutlined />, anyOf: ['inspection:plan'], section: 'main', component: InspectionAdminPage, label: (t) => t('inspections.menu.admin') },
  { key: 'inspectionOversight', path: '/inspections/oversight', icon: <BarChartOutlined />, anyOf: ['inspection:oversee'], section: 'main', component: InspectionOversightPage, label: (t) => t('inspections.menu.oversight') },
  // Approval flows (issue 6): everyone's to-do list across modules; the flow designer for workflow:design.
  { key: 'workflowTodo', path: '/workflow/todo', icon: <CheckSquareOutlined />, anyOf: null, section: 'main', component: WorkflowTodoPage, label: (t) => t('workflow.menu.todo') },
  { key: 'workflowDefinitions', path: '/workflow/definitions', icon: <ForkOutlined />, anyOf: ['workflow:design'], section: 'admin', component: WorkflowDefinitionsPage, label: (t) => t('workflow.menu.definitions') },
  { key: 'workflowEditor', path: '/workflow/definitions/:id', icon: <ForkOutlined />, anyOf: ['workflow:design'], section: 'hidden', component: WorkflowEditorPage, label: (t) => t('workflow.menu.editor') },
  // Work permits (issue 6): list and site view for every reader; /permits/:id/verify#<token> is the on-site scan.
  { key: 'permits', path: '/permits', icon: <FireOutlined />, anyOf: ['permit:read'], section: 'main', component: PermitsPage, label: (t) => t('permits.menu.list') },
  { key: 'permitApply', path: '/permits/apply', icon: <FireOutlined />, anyOf: ['permit:apply'], section: 'hidden', component: PermitApplyPage, label: (t) => t('permits.menu.apply') },
  { key: 'permitDetail', path: '/permits/:id', icon: <FireOutlined />, anyOf: ['permit:read'], section: 'hidden', component: PermitDetailPage, label: (t) => t('permits.menu.detail') },
  { key: 'permitVerify', path: '/permits/:id/verify', icon: <FireOutlined />, anyOf: ['permit:read'], section: 'hidden', component: PermitVerifyPage, label: (t) => t('permits.menu.verify') },
  // Permit rules (issue 6): grades, limits, gas thresholds and measures as a versioned tenant document; permit:configure.
  { key: 'permitRules', path: '/permits/rules', icon: <FireOutlined />, anyOf: ['permit:configure'], section: 'admin', component: PermitRulesPage, label: (t) => t('permits.menu.rules') },
  // IoT monitoring (issue 8): live values and the alarm console for everyone in scope; devices for iot:configure.
  { key: 'notificationPreferences', path: '/me/notifications', icon: <BellOutlined />, anyOf: null, section: 'hidden', component: NotificationPreferencesPage, label: (t) => t('notificationPrefs.menu') },
  { key: 'iotMonitor', path: '/iot/monitor', icon: <MonitorOutlined />, anyOf: ['iot:read'], section: 'main', component: IotMonitorPage, label: (t) => t('iot.menu.monitor') },
  { key: 'iotMap', path: '/iot/map', icon: <MonitorOutlined />, anyOf: ['iot:read'], section: 'main', component: IotLiveMapPage, label: (t) => t('iot.menu.map') },
  { key: 'iotHealth', path: '/iot/health', icon: <BarChartOutlined />, anyOf: ['iot:read'], section: 'main', component: IotHealthPage, label: (t) => t('iot.menu.health') },
  { key: 'iotDevices', path: '/iot/devices', icon: <ApiOutlined />, anyOf: ['iot:configure'], section: 'admin', component: IotDevicesPage, label: (t) => t('iot.menu.devices') },
  // Linkage rules (alarm → device command): configured by iot:configure, readable by everyone in scope.
  { key: 'iotLinkage', path: '/iot/linkage', icon: <ApiOutlined />, anyOf: ['iot:configure'], section: 'admin', component: IotLinkageRulesPage, label: (t) => t('linkage.menu') },
  { key: 'import', path: '/admin/import', icon: <CloudUploadOutlined />, anyOf: ['people:import'], section: 'admin', component: ImportPage },
];
