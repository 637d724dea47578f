import type { FlowNode } from '../../platform/workflow/definitionSchema.ts';
import type { PermitType } from './schema.ts';

/**
 * The reference §1 (GB 30871-2022) defaults of the permit rules. They are seeded as the tenant's data on
 * first use (config.ts) and read from there: nothing below is a rule in code once seeded. Values the
 * standard leaves open (validity of blinding, lifting, excavation, road closure; which toxic gases) are
 * marked ⚠️ and kept configurable.
 */

export interface MeasureSeed {
  code: string;
  zh: string;
  en: string;
}

export interface GradeConfig {
  code: string;
  nameZh: string;
  nameEn: string;
  /** Longest allowed time window from validFrom to validUntil, hours; null = the standard sets none. */
  maxValidityHours: number | null;
  /** Longest window including extensions, hours; null = no extension (re-issue the permit, 4.16). */
  extensionMaxHours: number | null;
  /** A passing gas analysis is needed before start (and to resume). */
  gasTestRequired: boolean;
  /** Sample-to-start gap: the analysis counts for this many minutes (5.3.1c, 6.3a). */
  gasTestValidMinutes: number;
  /** An interruption longer than this needs a new analysis before resuming (5.3.1d, 6.3f). */
  interruptionRetestMinutes: number;
  /** Periodic re-analysis while active (confined space: every 2 h, 6.5); null = none. */
  periodicReanalysisMinutes: number | null;
  /** Safety measures of the checklist (Appendix A), each confirmed by its responsible person. */
  measures: MeasureSeed[];
}

export interface TypeConfig {
  nameZh: string;
  nameEn: string;
  /** Number prefix: ZY-<prefix>-<year>-<seq>. */
  prefix: string;
  /** Definition key of the approval flow (the flow branches on `grade`). */
  flowKey: string;
  /** Type-specific fields that must be filled in (Appendix A tables), keys of `fields`. */
  requiredFields: string[];
  /** Certificate check of role `worker` through training's qualification check (target operation:<type>). */
  checkWorkerQualification: boolean;
  grades: GradeConfig[];
}

export interface ToxicGas {
  code: string;
  nameZh: string;
  nameEn: string;
  /** Highest allowed reading, in `unit`. */
  max: number;
  unit: string;
}

export interface GasThresholds {
  o2MinPct: number;
  o2MaxPct: number;
  /** Flammables (5.3.2): the medium's LEL ≥ lelBoundaryPct → at most highLelMaxPct % v/v, else lowLelMaxPct. */
  lelBoundaryPct: number;
  highLelMaxPct: number;
  lowLelMaxPct: number;
  toxics: ToxicGas[];
}

/** Pairs of types that warn when active at once in one area (or one above the other in the tree). */
export interface ConflictRule {
  a: PermitType;
  b: PermitType;
  zh: string;
  en: string;
}

export interface PermitConfig {
  types: Record<PermitType, TypeConfig>;
  gas: GasThresholds;
  /** 4.10: a guardian must not do other work; more active permits than this is an overload. */
  guardianMaxActive: number;
  /** refuse: verification is refused; warn: allowed with a warning on the permit and the site view. */
  guardianOverload: 'refuse' | 'warn';
  /** Fire-watch round after hot work ends (DESIGN: e.g. 2 h later). */
  followUpDelayMinutes: number;
  conflicts: ConflictRule[];
}

const m = (code: string, zh: string, en: string): MeasureSeed => ({ code, zh, en });

const common = [
  m('ppe', '作业人员劳动防护用品穿戴符合要求', 'Workers wear the required PPE'),
  m('briefing', '已进行安全交底，作业人员清楚风险与应急措施', 'Safety briefing done; workers know the risks and the emergency measures'),
  m('guardian', '监护人已到位并佩戴明显标识', 'Guardian present and visibly identified'),
];

const hotWork = [
  m('isolate', '动火设备、管线已与生产系统可靠隔离（加盲板或断开），并已清洗、置换', 'Equipment and lines isolated (blinds or disconnection), cleaned and purged'),
  m('clear_15m', '动火点周围 15 m 内可燃物已清除，地漏、沟、井已封盖', 'Combustibles within 15 m removed; drains, trenches and pits covered'),
  m('extinguisher', '现场配备灭火器材、消防蒸汽带或水带', 'Extinguishers and steam or water hoses at hand'),
  m('cylinders', '氧气瓶与乙炔瓶间距 ≥5 m，二者与动火点距离 ≥10 m', 'O₂ and acetylene cylinders ≥ 5 m apart and ≥ 10 m from the hot-work point'),
  m('welder', '电焊回路线接在焊件上，焊机距动火点不超过 10 m', 'Welding return lead on the work piece; welder within 10 m of the point'),
];
const hotWorkSpecial = [
  m('plan', '已编制专项作业方案并经审批', 'A written plan for the job has been approved'),
  m('monitor', '全过程连续气体监测并防爆视频监控', 'Continuous gas monitoring and explosion-proof video of the whole job'),
  m('pressure', '设备、管道内保持微正压', 'Slight positive pressure kept in the vessel or pipe'),
];

const confined = [
  m('isolate', '与受限空间连通的管道已加盲板隔离，电源已切断并上锁挂牌', 'Connected lines blinded; power cut, locked and tagged'),
  m('ventilate', '已进行清洗、置换和通风', 'Cleaned, purged and ventilated'),
  m('detector', '作业人员携带便携式气体检测报警仪', 'Workers carry portable gas detectors'),
  m('rescue', '入口处配备救援器材（空气呼吸器、安全绳、三脚架）', 'Rescue kit at the entrance (SCBA, lifeline, tripod)'),
  m('log', '监护人在入口登记进出人员及工器具', 'Guardian logs people and tools in and out at the entrance'),
  m('lighting', '照明使用安全电压，潮湿环境不超过 12 V', 'Lighting at safety voltage, at most 12 V where wet'),
];

const blinding = [
  m('pressure', '管道已泄压至常压，介质温度不超过 60 ℃', 'Line depressurised to atmospheric, medium at most 60 °C'),
  m('drawing', '盲板位置已在位置图上标注并挂牌', 'Blind position marked on the drawing and tagged'),
  m('tools', '使用防爆工具，作业人员站在上风向', 'Explosion-proof tools; workers stand upwind'),
  m('detector', '涉及有毒介质时携带便携式检测仪', 'Portable detector carried for toxic media'),
];

const height = [
  m('harness', '作业人员佩戴安全带（高挂低用）', 'Workers wear harnesses (anchored high)'),
  m('scaffold', '脚手架、作业平台经验收合格', 'Scaffold and working platform accepted'),
  m('tools', '工具、材料有防坠落措施', 'Tools and materials secured against falling'),
  m('below', '作业点下方设警戒区', 'Exclusion zone below the work'),
];
const heightHigh = [m('rescue', '已制定高处坠落应急救援措施', 'Rescue plan for falls in place'), m('communication', '配备通讯联络工具', 'Radios or other communication provided')];

const lifting = [
  m('crane', '起重机械检验合格，司机、司索人、指挥持证上岗', 'Crane inspected; operator, rigger and signaller certified'),
  m('rigging', '吊索具完好，已核对吊物质量', 'Rigging sound; load mass checked'),
  m('zone', '吊装区域设警戒，无关人员禁入', 'Lifting zone cordoned off'),
  m('weather', '风力不超过 5 级，无雨雪大雾', 'Wind below force 6, no rain, snow or fog'),
];
const liftingPlan = [m('plan', '已编制吊装方案并经审批', 'Lifting plan written and approved')];

const tempPower = [
  m('electrician', '接线、拆线由持证电工进行', 'Connecting and removing done by a certified electrician'),
  m('rcd', '配电箱装设漏电保护器，一机一闸一保护', 'RCD per circuit; one switch and one protector per machine'),
  m('cable', '线路架空或穿管保护，绝缘良好', 'Cables overhead or in conduit, insulation sound'),
  m('gas', '在运行的火灾爆炸危险区域内已进行可燃气体检测', 'Flammable gas tested in running fire/explosion areas'),
];

const excavation = [
  m('utilities', '已核查地下电缆、管道等设施并经会签', 'Buried cables and pipes checked and countersigned'),
  m('shoring', '按要求放坡或支护，堆土距坑边 ≥1 m', 'Slopes or shoring as required; spoil ≥ 1 m from the edge'),
  m('barrier', '设围栏、警示灯和警示标志', 'Barriers, warning lights and signs in place'),
];

const roadClosure = [
  m('signs', '道路两端设置交通警示标志和路障，夜间设警示灯', 'Warning signs and barriers at both ends; lights at night'),
  m('notify', '已通知消防、安全及受影响单位', 'Fire, safety and affected units notified'),
  m('detour', '已明确绕行路线并保证消防通道', 'Detour set and fire access kept open'),
];

const g = (code: string, nameZh: string, nameEn: string, o: Partial<GradeConfig> & { measures: MeasureSeed[] }): GradeConfig => ({
  code,
  nameZh,
  nameEn,
  maxValidityHours: null,
  extensionMaxHours: null,
  gasTestRequired: false,
  gasTestValidMinutes: 30,
  interruptionRetestMinutes: 60,
  periodicReanalysisMinutes: null,
  ...o,
});

export const DEFAULT_PERMIT_CONFIG: PermitConfig = {
  types: {
    hot_work: {
      nameZh: '动火作业',
      nameEn: 'Hot work',
      prefix: 'DH',
      flowKey: 'permit.hot_work',
      requiredFields: ['method'],
      checkWorkerQualification: true,
      grades: [
        // GB 30871-2022 5.1.5: 特级 and 一级 valid at most 8 h, 二级 72 h; 5.3.1c-d: analysis ≤ 30 min before,
        // re-analysis after an interruption of more than 30 min (特级/一级) or 60 min (二级).
        g('special', '特级', 'Special', { maxValidityHours: 8, gasTestRequired: true, interruptionRetestMinutes: 30, measures: [...common, ...hotWork, ...hotWorkSpecial] }),
        g('1', '一级', 'Grade 1', { maxValidityHours: 8, gasTestRequired: true, interruptionRetestMinutes: 30, measures: [...common, ...hotWork] }),
        g('2', '二级', 'Grade 2', { maxValidityHours: 72, gasTestRequired: true, interruptionRetestMinutes: 60, measures: [...common, ...hotWork] }),
      ],
    },
    confined_space: {
      nameZh: '受限空间作业',
      nameEn: 'Confined space entry',
      prefix: 'SX',
      flowKey: 'permit.confined_space',
      requiredFields: ['spaceName', 'formerMedium'],
      checkWorkerQualification: false,
      // 6.10: 24 h; 6.3a: test within 30 min before entry; 6.5: record every 2 h; 6.3f: > 60 min break → re-test.
      grades: [g('none', '—', '—', { maxValidityHours: 24, gasTestRequired: true, interruptionRetestMinutes: 60, periodicReanalysisMinutes: 120, measures: [...common, ...confined] })],
    },
    blinding: {
      nameZh: '盲板抽堵作业',
      nameEn: 'Line blinding',
      prefix: 'MB',
      flowKey: 'permit.blinding',
      requiredFields: ['action', 'line', 'medium', 'blindNo'],
      checkWorkerQualification: false,
      // ⚠️ The standard states no validity (7.11: one permit = one blind × one action): 24 h as a default.
      grades: [g('none', '—', '—', { maxValidityHours: 24, measures: [...common, ...blinding] })],
    },
    height: {
      nameZh: '高处作业',
      nameEn: 'Work at height',
      prefix: 'GC',
      flowKey: 'permit.height',
      requiredFields: ['heightM'],
      checkWorkerQualification: true,
      // 8.2.11: at most 7 days.
      grades: [
        g('I', 'Ⅰ级', 'Grade I', { maxValidityHours: 168, measures: [...common, ...height] }),
        g('II', 'Ⅱ级', 'Grade II', { maxValidityHours: 168, measures: [...common, ...height] }),
        g('III', 'Ⅲ级', 'Grade III', { maxValidityHours: 168, measures: [...common, ...height, ...heightHigh] }),
        g('IV', 'Ⅳ级', 'Grade IV', { maxValidityHours: 168, measures: [...common, ...height, ...heightHigh] }),
      ],
    },
    lifting: {
      nameZh: '吊装作业',
      nameEn: 'Lifting',
      prefix: 'DZ',
      flowKey: 'permit.lifting',
      requiredFields: ['loadT'],
      checkWorkerQualification: true,
      // ⚠️ No validity in the standard: 24 h default. 9.2.1: lifting plan mandatory for 一、二级.
      grades: [
        g('1', '一级', 'Grade 1', { maxValidityHours: 24, measures: [...common, ...lifting, ...liftingPlan] }),
        g('2', '二级', 'Grade 2', { maxValidityHours: 24, measures: [...common, ...lifting, ...liftingPlan] }),
        g('3', '三级', 'Grade 3', { maxValidityHours: 24, measures: [...common, ...lifting] }),
      ],
    },
    temp_power: {
      nameZh: '临时用电作业',
      nameEn: 'Temporary power',
      prefix: 'LD',
      flowKey: 'permit.temp_power',
      requiredFields: ['connectionPoint', 'powerKw', 'voltageV'],
      checkWorkerQualification: true,
      // 10.8: normally at most 15 days, extendable to at most 30 days.
      grades: [g('none', '—', '—', { maxValidityHours: 360, extensionMaxHours: 720, measures: [...common, ...tempPower] })],
    },
    excavation: {
      nameZh: '动土作业',
      nameEn: 'Excavation',
      prefix: 'DT',
      flowKey: 'permit.excavation',
      requiredFields: ['depthM'],
      checkWorkerQualification: false,
      // ⚠️ No validity in the standard: 72 h default.
      grades: [g('none', '—', '—', { maxValidityHours: 72, measures: [...common, ...excavation] })],
    },
    road_closure: {
      nameZh: '断路作业',
      nameEn: 'Road closure',
      prefix: 'DL',
      flowKey: 'permit.road_closure',
      requiredFields: ['reason'],
      checkWorkerQualification: false,
      // ⚠️ No validity in the standard: 72 h default.
      grades: [g('none', '—', '—', { maxValidityHours: 72, measures: [...common, ...roadClosure] })],
    },
  },
  gas: {
    // 6.4: O₂ 19.5–21 % (23.5 % where O₂-enriched: edit per tenant); 5.3.2: flammables 0.5 / 0.2 % v/v.
    o2MinPct: 19.5,
    o2MaxPct: 21,
    lelBoundaryPct: 4,
    highLelMaxPct: 0.5,
    lowLelMaxPct: 0.2,
    // ⚠️ GBZ 2.1-2019 limits (MAC / PC-STEL), mg/m³; a tenant adds the gases of its processes.
    toxics: [
      { code: 'H2S', nameZh: '硫化氢', nameEn: 'Hydrogen sulphide', max: 10, unit: 'mg/m³' },
      { code: 'CO', nameZh: '一氧化碳', nameEn: 'Carbon monoxide', max: 30, unit: 'mg/m³' },
      { code: 'Cl2', nameZh: '氯气', nameEn: 'Chlorine', max: 1, unit: 'mg/m³' },
      { code: 'NH3', nameZh: '氨', nameEn: 'Ammonia', max: 30, unit: 'mg/m³' },
    ],
  },
  guardianMaxActive: 1,
  guardianOverload: 'refuse',
  followUpDelayMinutes: 120,
  conflicts: [
    { a: 'hot_work', b: 'confined_space', zh: '动火作业与受限空间作业同时在同一区域进行', en: 'Hot work and confined-space entry at once in one area' },
    { a: 'hot_work', b: 'blinding', zh: '动火作业与盲板抽堵作业同时在同一区域进行', en: 'Hot work and line blinding at once in one area' },
    { a: 'lifting', b: 'height', zh: '吊装作业与高处作业同时在同一区域进行', en: 'Lifting and work at height at once in one area' },
    { a: 'hot_work', b: 'hot_work', zh: '同一区域内有多张动火作业票同时进行', en: 'Several hot-work permits at once in one area' },
  ],
};

type Graph = { start: string; nodes: FlowNode[] };

const unit = (next?: string): FlowNode => ({ id: 'unit', type: 'approval', name: '所在基层单位审批', approvers: { kind: 'dept_head' }, mode: 'any', ...(next ? { next } : {}) });
const role = (id: string, name: string, roles: string[], next?: string): FlowNode => ({ id, type: 'approval', name, approvers: { kind: 'role', roleCodes: roles }, mode: 'any', ...(next ? { next } : {}) });
const byGrade = (branches: { name: string; grades: string[]; next: string }[], fallback: string): FlowNode => ({
  id: 'route',
  type: 'condition',
  name: '按作业级别',
  branches: [...branches.map((b) => ({ name: b.name, when: [{ field: 'grade', op: 'in' as const, value: b.grades }], next: b.next })), { name: '其他', default: true, next: fallback }],
});

/**
 * Default approval flows (Table B.1), one per type branching on grade. Roles stand for the bodies the
 * standard names: 所在基层单位 = the applicant's department head, 安全管理部门 / 专业部门 = safety officers,
 * 主管领导 / 主管厂长 = the safety director. Tenants edit them in the flow editor.
 */
export const DEFAULT_FLOWS: { key: string; name: string; description: string; graph: Graph }[] = [
  {
    key: 'permit.hot_work',
    name: '动火作业票审批',
    description: '二级：所在单位；一级：所在单位 → 安全管理部门；特级：所在单位 → 安全管理部门 → 主管领导（GB 30871 表 B.1）',
    graph: {
      start: 'unit',
      nodes: [
        unit('route'),
        byGrade([{ name: '特级/一级', grades: ['special', '1'], next: 'safety' }], 'end_cc'),
        { id: 'safety', type: 'approval', name: '安全管理部门审批', approvers: { kind: 'role', roleCodes: ['safety_officer', 'safety_director'] }, mode: 'any', next: 'route_special' },
        { id: 'route_special', type: 'condition', name: '是否特级', branches: [{ name: '特级', when: [{ field: 'grade', op: 'eq', value: 'special' }], next: 'leader' }, { name: '其他', default: true, next: 'end_cc' }] },
        role('leader', '主管领导审批', ['safety_director'], 'end_cc'),
        { id: 'end_cc', type: 'cc', name: '抄送安全管理部门', recipients: { kind: 'role', roleCodes: ['safety_officer'] } },
      ],
    },
  },
  { key: 'permit.confined_space', name: '受限空间作业票审批', description: '所在基层单位审批', graph: { start: 'unit', nodes: [unit()] } },
  { key: 'permit.blinding', name: '盲板抽堵作业票审批', description: '所在基层单位审批', graph: { start: 'unit', nodes: [unit()] } },
  {
    key: 'permit.height',
    name: '高处作业票审批',
    description: 'Ⅰ级：所在基层单位；Ⅱ、Ⅲ级：所在单位专业部门；Ⅳ级：主管厂长或总工程师',
    graph: {
      start: 'unit',
      nodes: [
        unit('route'),
        { id: 'route', type: 'condition', name: '按作业级别', branches: [{ name: 'Ⅱ、Ⅲ级', when: [{ field: 'grade', op: 'in', value: ['II', 'III'] }], next: 'dept' }, { name: 'Ⅳ级', when: [{ field: 'grade', op: 'eq', value: 'IV' }], next: 'leader' }, { name: 'Ⅰ级', default: true, next: 'end_cc' }] },
        role('dept', '专业部门审批', ['safety_officer'], 'end_cc'),
        role('leader', '主管厂长审批', ['safety_director'], 'end_cc'),
        { id: 'end_cc', type: 'cc', name: '抄送安全管理部门', recipients: { kind: 'role', roleCodes: ['safety_officer'] } },
      ],
    },
  },
  {
    key: 'permit.lifting',
    name: '吊装作业票审批',
    description: '一级：主管厂长或总工程师；二、三级：所在单位专业部门',
    graph: {
      start: 'unit',
      nodes: [unit('route'), byGrade([{ name: '一级', grades: ['1'], next: 'leader' }], 'dept'), role('leader', '主管厂长审批', ['safety_director']), role('dept', '专业部门审批', ['safety_officer'])],
    },
  },
  { key: 'permit.temp_power', name: '临时用电作业票审批', description: '配送电单位审核批准', graph: { start: 'unit', nodes: [unit('power'), role('power', '配送电单位审批', ['safety_officer'])] } },
  { key: 'permit.excavation', name: '动土作业票审批', description: '会签后由所在单位专业部门审批', graph: { start: 'unit', nodes: [unit('dept'), role('dept', '专业部门审批（会签后）', ['safety_officer'])] } },
  { key: 'permit.road_closure', name: '断路作业票审批', description: '消防、安全部门会签后由所在单位专业部门审批', graph: { start: 'unit', nodes: [unit('dept'), role('dept', '专业部门审批（会签后）', ['safety_officer'])] } },
];
