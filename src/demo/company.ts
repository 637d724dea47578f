import type { BuiltinRoleCode } from '../platform/auth/permissions.ts';

/**
 * What the demo companies look like, as data: a machinery manufacturer with a casting/forging plant and an
 * assembly plant, company departments, teams on the shop floor, two contractor companies, and a small
 * branch in the same group (a second tenant, to show that tenants never see each other's data).
 * `plan.ts` turns this into rows.
 */

export interface PositionSpec {
  code: string;
  name: string;
  /** Special operations (特种作业 / 特种设备作业) need a certificate: welder, electrician, crane, forklift… */
  special?: boolean;
  /** Share of women in this job on a Chinese shop floor, for believable rosters. */
  female: number;
  /** Hire years [from, to] for people in this job (leaders joined earlier). */
  hired: readonly [number, number];
}

const OFFICE: readonly [number, number] = [2003, 2024];
const SHOPFLOOR: readonly [number, number] = [2006, 2025];
const SENIOR: readonly [number, number] = [1996, 2014];
/** Contractor workers: hire = when they joined this contractor's crew for our site. */
export const CONTRACT: readonly [number, number] = [2024, 2025];

export const DEMO_POSITIONS: readonly PositionSpec[] = [
  { code: 'GM', name: '总经理', female: 0.1, hired: SENIOR },
  { code: 'VGM', name: '副总经理', female: 0.15, hired: SENIOR },
  { code: 'CHIEF_ENG', name: '总工程师', female: 0.1, hired: SENIOR },
  { code: 'SAFETY_DIR', name: '安全总监', female: 0.1, hired: SENIOR },
  { code: 'PLANT_MGR', name: '厂长', female: 0.05, hired: SENIOR },
  { code: 'PLANT_DEP', name: '副厂长', female: 0.1, hired: SENIOR },
  { code: 'DEPT_MGR', name: '部门经理', female: 0.25, hired: SENIOR },
  { code: 'DEPT_DEP', name: '部门副经理', female: 0.25, hired: [2000, 2016] },
  { code: 'DIRECTOR', name: '车间主任', female: 0.05, hired: SENIOR },
  { code: 'DEPUTY', name: '车间副主任', female: 0.05, hired: [2000, 2016] },
  { code: 'LEADER', name: '班组长', female: 0.05, hired: [2000, 2018] },
  { code: 'DISPATCH', name: '生产调度员', female: 0.4, hired: OFFICE },
  { code: 'SAFETY', name: '安全员', female: 0.3, hired: OFFICE },
  { code: 'ENV', name: '环保专员', female: 0.6, hired: OFFICE },
  { code: 'OH', name: '职业卫生专员', female: 0.6, hired: OFFICE },
  { code: 'FIRE', name: '消防专员', female: 0.1, hired: OFFICE },
  { code: 'EQUIP', name: '设备员', female: 0.15, hired: OFFICE },
  { code: 'QC', name: '质检员', female: 0.55, hired: OFFICE },
  { code: 'ENGINEER', name: '设备工程师', female: 0.15, hired: OFFICE },
  { code: 'ELEC_ENG', name: '电气工程师', female: 0.15, hired: OFFICE },
  { code: 'SYSADMIN', name: '系统管理员', female: 0.3, hired: [2012, 2024] },
  { code: 'IT', name: '信息工程师', female: 0.4, hired: [2012, 2025] },
  { code: 'OP', name: '操作工', female: 0.2, hired: SHOPFLOOR },
  { code: 'CAST', name: '铸造工', female: 0.03, hired: SHOPFLOOR },
  { code: 'SMELT', name: '熔炼工', female: 0.02, hired: SHOPFLOOR },
  { code: 'FORGE', name: '锻造工', female: 0.02, hired: SHOPFLOOR },
  { code: 'HEAT', name: '热处理工', female: 0.05, hired: SHOPFLOOR },
  { code: 'LATHE', name: '车工', female: 0.15, hired: SHOPFLOOR },
  { code: 'MILL', name: '铣工', female: 0.12, hired: SHOPFLOOR },
  { code: 'CNC', name: '数控操作工', female: 0.2, hired: SHOPFLOOR },
  { code: 'PAINT', name: '喷涂工', female: 0.3, hired: SHOPFLOOR },
  { code: 'FITTER', name: '装配钳工', female: 0.05, hired: SHOPFLOOR },
  { code: 'DEBUG', name: '调试员', female: 0.1, hired: SHOPFLOOR },
  { code: 'MAINT', name: '机修工', female: 0.02, hired: SHOPFLOOR },
  // 特种作业 (SAWS order 30) and 特种设备作业 (TSG Z6001) jobs: they need a valid certificate.
  { code: 'WELD', name: '焊工', special: true, female: 0.03, hired: SHOPFLOOR },
  { code: 'ELEC', name: '电工', special: true, female: 0.03, hired: SHOPFLOOR },
  { code: 'CRANE', name: '起重工', special: true, female: 0.03, hired: SHOPFLOOR },
  { code: 'FORK', name: '叉车司机', special: true, female: 0.05, hired: SHOPFLOOR },
  { code: 'BOILER', name: '司炉工', special: true, female: 0.1, hired: SHOPFLOOR },
  { code: 'SCAFF', name: '架子工', special: true, female: 0, hired: CONTRACT },
  // Contractor staff.
  { code: 'SITE_MGR', name: '项目经理', female: 0.05, hired: CONTRACT },
  { code: 'INSTALL', name: '安装工', female: 0, hired: CONTRACT },
  { code: 'LABOR', name: '普工', female: 0.1, hired: CONTRACT },
];

/** `[positionCode, count]`: how many people in this job. */
export type Staffing = readonly (readonly [string, number])[];

export interface TeamSpec {
  code: string;
  name: string;
  /** Members besides the team leader (班组长), who heads the team. */
  members: Staffing;
}

export interface UnitSpec {
  code: string;
  name: string;
  kind: 'plant' | 'workshop' | 'department';
  /** Position of the head (unit manager); the head sits in the unit itself. */
  head: string;
  staff: Staffing;
  teams?: readonly TeamSpec[];
  units?: readonly UnitSpec[];
}

export interface ContractorSpec {
  code: string;
  name: string;
  /** Prefix of the workers' numbers (their own company's badge numbers). */
  workerNoPrefix: string;
  head: string;
  workers: Staffing;
  /** Workshop where the workers are placed while they work on site (their boss stays in the contractor unit). */
  workingIn?: string;
}

/** Whose login is it: the head of a unit, or the first (non-head) person in a unit with a position. */
export type PersonSelector = { unit: string; head: true } | { unit: string; position: string };

export interface LoginSpec {
  username: string;
  role: BuiltinRoleCode;
  person: PersonSelector;
}

export interface CompanySpec {
  code: string;
  name: string;
  groupName: string;
  /** PRNG seed: each company has its own, so changing one never reshuffles the other. */
  seed: number;
  /** Prefix of the employee numbers (工号). */
  employeeNoPrefix: string;
  /** Company leadership, placed in the root unit; the first one heads the company. */
  leadership: Staffing;
  units: readonly UnitSpec[];
  contractors: readonly ContractorSpec[];
  logins: readonly LoginSpec[];
}

const team = (code: string, name: string, members: Staffing): TeamSpec => ({ code, name, members });

export const DEMO_COMPANY: CompanySpec = {
  code: 'DEMO',
  name: '华东重型机械有限公司',
  groupName: '华东重型机械集团',
  seed: 20_260_101,
  employeeNoPrefix: 'HD',
  leadership: [
    ['GM', 1],
    ['VGM', 2],
    ['CHIEF_ENG', 1],
  ],
  units: [
    {
      code: 'P1',
      name: '一厂（铸锻厂）',
      kind: 'plant',
      head: 'PLANT_MGR',
      staff: [
        ['PLANT_DEP', 1],
        ['DISPATCH', 2],
      ],
      units: [
        {
          code: 'P1-ZZ',
          name: '铸造车间',
          kind: 'workshop',
          head: 'DIRECTOR',
          staff: [
            ['DEPUTY', 1],
            ['SAFETY', 1],
            ['EQUIP', 1],
            ['QC', 2],
          ],
          teams: [
            team('P1-ZZ-1', '造型班', [['CAST', 9], ['CRANE', 1]]),
            team('P1-ZZ-2', '熔炼班', [['SMELT', 8], ['CRANE', 1], ['ELEC', 1]]),
            team('P1-ZZ-3', '清理班', [['OP', 8], ['FORK', 1], ['CRANE', 1]]),
          ],
        },
        {
          code: 'P1-DY',
          name: '锻压车间',
          kind: 'workshop',
          head: 'DIRECTOR',
          staff: [
            ['DEPUTY', 1],
            ['SAFETY', 1],
            ['EQUIP', 1],
            ['QC', 1],
          ],
          teams: [
            team('P1-DY-1', '锻造甲班', [['FORGE', 10], ['CRANE', 2]]),
            team('P1-DY-2', '锻造乙班', [['FORGE', 10], ['CRANE', 1], ['FORK', 1]]),
          ],
        },
        {
          code: 'P1-RCL',
          name: '热处理车间',
          kind: 'workshop',
          head: 'DIRECTOR',
          staff: [
            ['SAFETY', 1],
            ['EQUIP', 1],
            ['QC', 2],
          ],
          teams: [
            team('P1-RCL-1', '热处理甲班', [['HEAT', 9], ['CRANE', 1]]),
            team('P1-RCL-2', '热处理乙班', [['HEAT', 9], ['CRANE', 1]]),
          ],
        },
      ],
    },
    {
      code: 'P2',
      name: '二厂（装配厂）',
      kind: 'plant',
      head: 'PLANT_MGR',
      staff: [
        ['PLANT_DEP', 1],
        ['DISPATCH', 2],
      ],
      units: [
        {
          code: 'P2-JJG',
          name: '机加工车间',
          kind: 'workshop',
          head: 'DIRECTOR',
          staff: [
            ['DEPUTY', 1],
            ['SAFETY', 1],
            ['EQUIP', 1],
            ['QC', 3],
          ],
          teams: [
            team('P2-JJG-1', '车工班', [['LATHE', 10]]),
            team('P2-JJG-2', '铣工班', [['MILL', 9]]),
            team('P2-JJG-3', '数控班', [['CNC', 11]]),
          ],
        },
        {
          code: 'P2-HJ',
          name: '焊接车间',
          kind: 'workshop',
          head: 'DIRECTOR',
          staff: [
            ['DEPUTY', 1],
            ['SAFETY', 1],
            ['EQUIP', 1],
            ['QC', 2],
          ],
          teams: [
            team('P2-HJ-1', '焊接一班', [['WELD', 10], ['CRANE', 1]]),
            team('P2-HJ-2', '焊接二班', [['WELD', 10], ['FORK', 1]]),
            team('P2-HJ-3', '焊接三班', [['WELD', 9], ['CRANE', 1]]),
          ],
        },
        {
          code: 'P2-TZ',
          name: '涂装车间',
          kind: 'workshop',
          head: 'DIRECTOR',
          staff: [
            ['SAFETY', 1],
            ['EQUIP', 1],
            ['QC', 1],
          ],
          teams: [team('P2-TZ-1', '前处理班', [['OP', 8]]), team('P2-TZ-2', '喷涂班', [['PAINT', 10]])],
        },
        {
          code: 'P2-ZZ',
          name: '总装车间',
          kind: 'workshop',
          head: 'DIRECTOR',
          staff: [
            ['DEPUTY', 1],
            ['SAFETY', 1],
            ['EQUIP', 1],
            ['QC', 2],
          ],
          teams: [
            team('P2-ZZ-1', '总装甲班', [['FITTER', 10], ['CRANE', 1], ['FORK', 1]]),
            team('P2-ZZ-2', '总装乙班', [['FITTER', 10], ['CRANE', 1], ['FORK', 1]]),
            team('P2-ZZ-3', '调试班', [['DEBUG', 6], ['ELEC', 2]]),
          ],
        },
      ],
    },
    {
      code: 'AQHB',
      name: '安全环保部',
      kind: 'department',
      head: 'SAFETY_DIR',
      staff: [
        ['DEPT_DEP', 1],
        ['SAFETY', 4],
        ['ENV', 1],
        ['OH', 1],
        ['FIRE', 1],
      ],
    },
    {
      code: 'SBDL',
      name: '设备动力部',
      kind: 'department',
      head: 'DEPT_MGR',
      staff: [
        ['ENGINEER', 2],
        ['ELEC_ENG', 1],
        ['EQUIP', 1],
      ],
      teams: [
        team('SBDL-1', '电工班', [['ELEC', 9]]),
        team('SBDL-2', '机修班', [['MAINT', 9], ['WELD', 1]]),
        team('SBDL-3', '动力班', [['BOILER', 4], ['OP', 4]]),
      ],
    },
    {
      code: 'XXZX',
      name: '信息中心',
      kind: 'department',
      head: 'DEPT_MGR',
      staff: [
        ['SYSADMIN', 1],
        ['IT', 3],
      ],
    },
  ],
  contractors: [
    {
      code: 'CBS-JSAJ',
      name: '江苏安建工程有限公司',
      workerNoPrefix: 'JSAJ-',
      head: 'SITE_MGR',
      workers: [
        ['SAFETY', 1],
        ['WELD', 4],
        ['SCAFF', 3],
        ['ELEC', 2],
        ['LABOR', 4],
      ],
    },
    {
      code: 'CBS-SZHD',
      name: '苏州宏达设备安装有限公司',
      workerNoPrefix: 'SZHD-',
      head: 'SITE_MGR',
      workers: [
        ['INSTALL', 5],
        ['CRANE', 2],
        ['ELEC', 1],
        ['WELD', 1],
      ],
      // Installing the new assembly line: they work inside 总装车间, so its head sees them in his scope.
      workingIn: 'P2-ZZ',
    },
  ],
  logins: [
    { username: 'admin', role: 'sys_admin', person: { unit: 'XXZX', position: 'SYSADMIN' } },
    { username: 'safety', role: 'safety_director', person: { unit: 'AQHB', head: true } },
    { username: 'officer', role: 'safety_officer', person: { unit: 'AQHB', position: 'SAFETY' } },
    { username: 'head1', role: 'dept_head', person: { unit: 'P2-HJ', head: true } },
    { username: 'leader1', role: 'team_leader', person: { unit: 'P2-HJ-1', head: true } },
    { username: 'worker1', role: 'employee', person: { unit: 'P2-HJ-1', position: 'WELD' } },
    { username: 'contractor1', role: 'contractor', person: { unit: 'CBS-JSAJ', position: 'WELD' } },
    // Owners of the other demo hazard areas: the casting shop's director and the equipment & power manager
    // (electrical hazards anywhere go to 设备动力部 by an assignment rule).
    { username: 'head2', role: 'dept_head', person: { unit: 'P1-ZZ', head: true } },
    { username: 'equip1', role: 'dept_head', person: { unit: 'SBDL', head: true } },
  ],
};

/** A small branch in the same group: a second tenant, so isolation can be tried with two logins. */
export const DEMO_BRANCH: CompanySpec = {
  code: 'DEMO-NT',
  name: '华东重型机械有限公司南通分公司',
  groupName: '华东重型机械集团',
  seed: 20_260_102,
  employeeNoPrefix: 'NT',
  leadership: [['GM', 1]],
  units: [
    {
      code: 'NT-ZHGL',
      name: '综合管理部',
      kind: 'department',
      head: 'DEPT_MGR',
      staff: [
        ['SAFETY', 1],
        ['SYSADMIN', 1],
      ],
    },
    {
      code: 'NT-P',
      name: '南通工厂',
      kind: 'plant',
      head: 'PLANT_MGR',
      staff: [],
      units: [
        {
          code: 'NT-JGJ',
          name: '结构件车间',
          kind: 'workshop',
          head: 'DIRECTOR',
          staff: [['SAFETY', 1]],
          teams: [team('NT-JGJ-1', '下料班', [['OP', 4], ['CRANE', 1]]), team('NT-JGJ-2', '焊接班', [['WELD', 5]])],
        },
      ],
    },
  ],
  contractors: [],
  logins: [{ username: 'admin2', role: 'sys_admin', person: { unit: 'NT-ZHGL', position: 'SYSADMIN' } }],
};
