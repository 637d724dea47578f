import { and, eq, inArray } from 'drizzle-orm';
import { recordChange } from '../platform/audit/record.ts';
import { systemCtx } from '../platform/auth/actor.ts';
import { users } from '../platform/auth/schema.ts';
import type { Database, Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { orgUnits, people } from '../platform/org/schema.ts';
import { resolveAssignee } from '../modules/hazards/assignment.ts';
import { ensureHazardDefaults, readPolicy, type SlaPolicy } from '../modules/hazards/dictionaries.ts';
import { departmentOf, tenantInfo, zonedParts } from '../modules/hazards/directory.ts';
import { trackingHash } from '../modules/hazards/ledger.ts';
import type { HazardState } from '../modules/hazards/lifecycle.ts';
import { formatHazardNumber, newTrackingCode } from '../modules/hazards/report.ts';
import {
  hazardAssignmentRules,
  hazardCounters,
  hazardEvents,
  hazardPoints,
  hazardSignoffs,
  hazards,
  type HazardLevel,
  type PointReason,
  type RectificationPlan,
  type TreatmentPlan,
} from '../modules/hazards/schema.ts';
import { armDeadline, armVerify, slaKey } from '../modules/hazards/sla.ts';
import { insertDemoPhotoRows, type DemoPhotoBlob } from './hazardPhotos.ts';
import { seededRandom, type Random } from './random.ts';

/**
 * A believable hazard history for the demo company (issue 4): ~150 findings over the past six months in the
 * casting shop, the welding shop and (electrical) across the plants, in every state — most closed, some
 * rectifying, some overdue, two 重大 with a treatment plan, a few rejected, one anonymous — with their
 * timeline steps and points, and the assignment rules that route new reports to real logins. Rows are
 * built here with the same fields the hazard services write (bulk inserts keep the first start fast), under
 * a fixed seed so the ledger looks the same on every fresh start.
 */

const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;
export const DEMO_HAZARD_COUNT = 150;
const HISTORY_DAYS = 180;

interface Finding {
  title: string;
  detail: string;
  fix: string;
  category: string;
  level?: HazardLevel;
}

// Realistic findings of a machinery plant, by category (reference §3.4 hazardDangerType).
const FINDINGS: readonly Finding[] = [
  { category: 'safety', title: '吊装作业区域未设置警戒线', detail: '行车吊运铸件时下方通道未拉警戒线，有人员穿行。', fix: '设置警戒线和专人监护，吊物下方严禁站人。' },
  { category: 'safety', title: '行车吊钩防脱钩装置失效', detail: '5 t 行车主钩防脱舌弹簧断裂，无法闭合。', fix: '停用该行车，更换防脱钩装置后经检验方可使用。' },
  { category: 'safety', title: '高处平台护栏缺失一段', detail: '二层检修平台东侧护栏缺失约 1.5 m，下方为作业区。', fix: '恢复护栏（高度不低于 1.05 m）并设踢脚板。' },
  { category: 'safety', title: '砂轮机防护罩缺失', detail: '打磨工位砂轮机防护罩拆除后未恢复，托架间隙过大。', fix: '恢复防护罩，托架与砂轮间隙调整至 3 mm 以内。' },
  { category: 'safety', title: '焊接作业未佩戴防护面罩', detail: '作业人员手持焊枪时未佩戴焊接面罩，周边未设挡光屏。', fix: '现场纠正并教育，设置挡光屏，班组长每班检查。' },
  { category: 'safety', title: '叉车在车间内超速行驶', detail: '叉车在主通道行驶速度明显超过 5 km/h，未鸣笛。', fix: '约谈司机，设置限速标志，加装限速装置。' },
  { category: 'safety', title: '地坑入口未设有限空间警示标志', detail: '清理工部地坑入口无有限空间警示标志，盖板未上锁。', fix: '设置“有限空间 未经许可严禁入内”标志，盖板加锁，纳入有限空间台账。' },
  { category: 'safety', title: '气瓶未固定', detail: '焊接工位氧气瓶、乙炔瓶直立放置未设防倒链，间距不足 5 m。', fix: '设置气瓶固定架和防倒链，两瓶间距不小于 5 m。' },
  { category: 'safety', title: '车床卡盘防护罩未关闭', detail: '车床运行时卡盘防护罩处于打开状态，联锁被短接。', fix: '恢复联锁，关闭防护罩后方可开机。' },
  { category: 'electrical', title: '配电箱门未关闭且无警示标识', detail: '车间 3 号配电箱箱门敞开，无“当心触电”标识。', fix: '关闭箱门并加锁，张贴警示标识。' },
  { category: 'electrical', title: '临时电源线拖地且绝缘层破损', detail: '临时电源线沿地面敷设，被叉车碾压，绝缘层破损露铜。', fix: '更换电缆，架空或穿管敷设，办理临时用电手续。' },
  { category: 'electrical', title: '电焊机外壳未接地', detail: '焊接二班 2 台电焊机外壳接地线缺失。', fix: '恢复接地线并测量接地电阻（不大于 4 Ω）。' },
  { category: 'electrical', title: '插座回路未设漏电保护器', detail: '工具间插座回路直接接于空开，无漏电保护。', fix: '加装额定动作电流 30 mA 的漏电保护器。' },
  { category: 'electrical', title: '配电柜前未铺设绝缘胶垫', detail: '低压配电室 2 号柜前无绝缘胶垫。', fix: '铺设绝缘胶垫并定期检查。' },
  { category: 'fire', title: '消防通道堆放物料', detail: '车间东侧消防通道堆放待加工件，通道宽度不足 1 m。', fix: '立即清理，划定黄线，纳入 6S 检查。' },
  { category: 'fire', title: '灭火器压力不足', detail: '3 具干粉灭火器压力表指针处于红区。', fix: '更换或充装灭火器，每月检查并记录。' },
  { category: 'fire', title: '消火栓箱被货架遮挡', detail: '室内消火栓箱前放置货架，无法正常开启。', fix: '移开货架，消火栓前 1 m 内不得堆物。' },
  { category: 'fire', title: '动火作业未配备看火人', detail: '切割作业现场无监火人，周边有可燃物未清理。', fix: '停止作业，办理动火作业票，配备监火人和灭火器材。' },
  { category: 'fire', title: '应急照明灯不亮', detail: '车间北门应急照明灯按试验按钮不亮。', fix: '更换电池或灯具，每月测试一次。' },
  { category: 'fire', title: '安全出口指示灯损坏', detail: '二楼安全出口指示灯不亮。', fix: '更换指示灯。' },
  { category: 'equipment', title: '行车限位开关失灵', detail: '10 t 行车大车东向限位开关动作后未断电。', fix: '停用并检修限位开关，试验合格后使用。' },
  { category: 'equipment', title: '空压机储气罐安全阀超期未校验', detail: '储气罐安全阀校验有效期已过 2 个月。', fix: '送检安全阀，更换合格备件。' },
  { category: 'equipment', title: '冲床离合器制动异常', detail: '63 t 冲床停机后滑块下滑量超标。', fix: '停用检修离合器和制动器，检测合格后恢复使用。' },
  { category: 'equipment', title: '液压机油管渗漏', detail: '液压机主油缸进油管接头渗油，地面有油渍。', fix: '更换密封件，清理油污，设置接油盘。' },
  { category: 'equipment', title: '砂箱吊耳开裂', detail: '一只砂箱吊耳根部发现裂纹。', fix: '立即停用该砂箱，报废或补焊后探伤检查。' },
  { category: 'process', title: '熔炼炉炉前无应急铁水包', detail: '中频炉炉前未放置烘烤好的应急铁水包。', fix: '配置应急铁水包并保持干燥，纳入开炉前检查。' },
  { category: 'process', title: '喷漆房通风机未开启即作业', detail: '补漆作业时喷漆房排风机未开启。', fix: '通风与喷枪联锁，作业前确认风机运行。' },
  { category: 'process', title: '淬火油槽油温超过设定值', detail: '淬火油槽油温显示 92 ℃，超过 80 ℃ 上限，冷却系统未启动。', fix: '检修冷却系统，加装超温报警。' },
  { category: 'layout', title: '车间主通道标线模糊', detail: '主通道黄色标线磨损严重，人车通道无法区分。', fix: '重新划线，人行道与车行道分开。' },
  { category: 'layout', title: '物料堆放超高', detail: '成品区铸件堆放高度超过 2 m，无防倒措施。', fix: '降低堆放高度，使用货架并设限高标识。' },
  { category: 'other', title: '岗位安全操作规程未张贴', detail: '新设数控工位未张贴安全操作规程。', fix: '张贴规程并组织岗位培训。' },
];

/** 工贸企业重大事故隐患判定标准 (应急管理部令第10号): standing water where molten metal is poured; shared dust systems. */
const MAJOR: readonly (Finding & { area: string; open: boolean; plan: TreatmentPlan })[] = [
  {
    area: 'P1-ZZ-2',
    open: false,
    category: 'process',
    level: 'major',
    title: '浇注区地坑积水',
    detail: '熔炼班浇注区地坑内积水约 10 cm，铁水遇水存在爆炸风险（工贸重大隐患判定标准 冶金类）。',
    fix: '停止浇注作业，排水并封堵渗漏点，增设排水泵和液位报警。',
    plan: {
      goal: '消除浇注区地坑积水，杜绝铁水遇水爆炸。',
      methods: '封堵地坑渗漏点，增设自动排水泵和高液位报警，浇注前增加积水确认。',
      fundsYuan: 86_000,
      materials: '排水泵 2 台、液位报警器 1 套、防水砂浆。',
      responsibleOrg: '铸造车间',
      responsiblePeople: '铸造车间主任、设备动力部经理',
      timeLimit: '',
      requirements: '整改期间浇注区停止作业，完工后由安全环保部组织验收。',
      safetyMeasures: '设置警戒区，停止浇注，专人巡查。',
      emergencyPlan: '执行《铁水遇水爆炸现场处置方案》，每月演练一次。',
    },
  },
  {
    area: 'P2-HJ-3',
    open: true,
    category: 'safety',
    level: 'major',
    title: '打磨工位除尘系统多区域共用',
    detail: '焊接三班铝件打磨与钢件打磨共用一套干式除尘系统，存在粉尘爆炸风险（粉尘涉爆专项）。',
    fix: '铝粉尘单独设置湿式除尘系统，与钢件打磨分开。',
    plan: {
      goal: '铝镁粉尘与其他粉尘分开收集，消除粉尘爆炸隐患。',
      methods: '新建湿式除尘系统专用于铝件打磨，原系统加装泄爆、隔爆装置。',
      fundsYuan: 420_000,
      materials: '湿式除尘器 1 套、泄爆片、隔爆阀、防爆电机。',
      responsibleOrg: '焊接车间、设备动力部',
      responsiblePeople: '焊接车间主任、设备动力部经理',
      timeLimit: '',
      requirements: '完工后委托第三方检测，验收合格方可恢复铝件打磨。',
      safetyMeasures: '整改期间铝件打磨停止，加强清扫，每班清理积尘。',
      emergencyPlan: '执行《粉尘爆炸事故现场处置方案》。',
    },
  },
];

const REJECT_REASONS = ['经现场核实，该设备已停用并挂牌，不属于隐患。', '照片所示为正常作业状态，防护装置完好。', '与已上报隐患重复，已在原记录中整改。'];
const FAIL_REASONS = ['复查发现防护罩固定螺栓未紧固，请重新整改。', '整改后照片不清晰，现场仍有物料占道。', '警示标识尺寸不符合要求，请更换。'];

interface Login {
  id: string;
  personId: string | null;
  name: string;
  unitId: string | null;
}

interface Step {
  at: Date;
  actor: Login | null;
  action: string;
  from?: HazardState | null;
  to?: HazardState | null;
  comment?: string | null;
  photoIds?: string[];
  data?: Record<string, unknown>;
  dedupeKey?: string;
}

export interface DemoHazardCounts {
  hazards: number;
  byStatus: Record<string, number>;
  events: number;
  points: number;
  rules: number;
}

/** Demo logins by username, with their display names and units. */
async function loginsOf(tx: Tx, tenantId: string, usernames: string[]): Promise<Map<string, Login>> {
  const rows = await tx
    .select({ id: users.id, personId: users.personId, username: users.username, name: users.displayName, unitId: people.orgUnitId })
    .from(users)
    .leftJoin(people, eq(people.id, users.personId))
    .where(and(eq(users.tenantId, tenantId), inArray(users.username, usernames)));
  return new Map(rows.map((r) => [r.username, { id: r.id, personId: r.personId, name: r.name, unitId: r.unitId }]));
}

function pickLevel(rng: Random): HazardLevel {
  return rng.chance(0.24) ? 'serious' : 'general';
}

/** Share of demo reports that came with a photo (the rest are older desk entries without one). */
const PHOTO_SHARE = 0.85;

/**
 * `photos`: the pictures of hazardPhotos.ts, already in the blob store (null: no photos, e.g. where the
 * caller has no file storage). Most reports and every submitted fix get one.
 */
export async function seedDemoHazards(tx: Tx, db: Database, tenantId: string, now: Date, seed: number, photos: DemoPhotoBlob[] | null = null): Promise<DemoHazardCounts> {
  const rng = seededRandom(seed);
  // Its own sequence: adding photos must not change which findings, states and people the demo has.
  const photoRng = seededRandom(seed + 1);
  const photoIds = photos ? await insertDemoPhotoRows(tx, tenantId, photos, now) : null;
  await ensureHazardDefaults(tx, tenantId);
  const { timeZone } = await tenantInfo(tx, tenantId);
  const units = await tx.select({ id: orgUnits.id, code: orgUnits.code, name: orgUnits.name }).from(orgUnits).where(eq(orgUnits.tenantId, tenantId));
  const unit = (code: string) => {
    const u = units.find((x) => x.code === code);
    if (!u) throw new Error(`demo hazards: unit ${code} missing`);
    return u;
  };
  const who = await loginsOf(tx, tenantId, ['safety', 'officer', 'head1', 'leader1', 'worker1', 'contractor1', 'head2', 'equip1']);
  const login = (u: string) => {
    const l = who.get(u);
    if (!l) throw new Error(`demo hazards: login ${u} missing`);
    return l;
  };
  const officer = login('officer');
  const safety = login('safety');

  // ---- assignment rules (category × area → responsible unit, whose head takes it) ----
  const rules = [
    { name: '电气隐患 → 设备动力部', priority: 10, category: 'electrical', areaUnitId: null, responsibleUnitId: unit('SBDL').id },
    { name: '焊接车间消防隐患 → 焊接车间', priority: 20, category: 'fire', areaUnitId: unit('P2-HJ').id, responsibleUnitId: unit('P2-HJ').id },
    { name: '铸造车间设备隐患 → 铸造车间', priority: 30, category: 'equipment', areaUnitId: unit('P1-ZZ').id, responsibleUnitId: unit('P1-ZZ').id },
  ];
  await tx.insert(hazardAssignmentRules).values(rules.map((r) => ({ id: newId(), tenantId, ...r, responsibleUserId: null, createdAt: now, updatedAt: now })));

  const policies = new Map<HazardLevel, SlaPolicy>();
  for (const l of ['general', 'serious', 'major'] as const) policies.set(l, await readPolicy(tx, tenantId, l));
  const deptCache = new Map<string, string | null>();
  // The real matrix decides (same rules as a live report); cached per category and area to keep the start fast.
  const targetCache = new Map<string, Awaited<ReturnType<typeof resolveAssignee>>>();
  const assigneeFor = async (category: string, areaId: string) => {
    const key = `${category}|${areaId}`;
    if (!targetCache.has(key)) targetCache.set(key, await resolveAssignee(tx, tenantId, { category, orgUnitId: areaId }));
    return targetCache.get(key) ?? null;
  };
  const deptOf = async (unitId: string | null) => {
    if (!unitId) return null;
    if (!deptCache.has(unitId)) deptCache.set(unitId, await departmentOf(tx, tenantId, unitId));
    return deptCache.get(unitId) ?? null;
  };

  // Where findings are made: the teams of the two shops with logins; electrical ones also elsewhere.
  const areas = ['P2-HJ-1', 'P2-HJ-1', 'P2-HJ-2', 'P2-HJ-3', 'P2-HJ', 'P1-ZZ-1', 'P1-ZZ-2', 'P1-ZZ-3', 'P1-ZZ'];
  const electricalAreas = ['P2-JJG-1', 'P2-JJG-3', 'P1-DY-1', 'P1-RCL-1', 'P2-TZ', 'P2-ZZ'];
  const reportersFor = (area: string): string[] =>
    area.startsWith('P2-HJ') ? ['worker1', 'worker1', 'worker1', 'contractor1', 'leader1', 'officer', 'head1'] : area.startsWith('P1-ZZ') ? ['officer', 'head2', 'safety', 'officer'] : ['officer', 'equip1', 'safety'];

  type Plan = { finding: Finding; areaCode: string; reportedAt: Date; major?: (typeof MAJOR)[number]; fate?: HazardState; level?: HazardLevel };
  const plans: Plan[] = [];
  const findingOf = (category: string) => rng.pick(FINDINGS.filter((f) => f.category === category));
  // The last week, scripted so every desk has work on first start: one waiting for triage (涂装车间 has no
  // owner with a login), new ones assigned to leader1/head1/head2, some rectifying, some overdue, some to verify.
  const recent: [hours: number, fate: HazardState, area: string, category: string, level: HazardLevel][] = [
    [0.5, 'reported', 'P2-TZ', 'safety', 'general'],
    [1, 'assigned', 'P2-HJ-1', 'safety', 'general'],
    [9, 'assigned', 'P1-ZZ-1', 'equipment', 'serious'],
    [14, 'rectifying', 'P2-HJ-2', 'safety', 'general'],
    [20, 'rectifying', 'P2-HJ-1', 'fire', 'serious'],
    [30, 'pending_verification', 'P2-HJ-1', 'layout', 'general'],
    [40, 'rectifying', 'P1-ZZ-3', 'process', 'serious'],
    [55, 'rectifying', 'P2-HJ-1', 'safety', 'general'],
    [70, 'rework', 'P2-HJ-3', 'fire', 'general'],
    [100, 'pending_verification', 'P1-ZZ-2', 'electrical', 'general'],
    [130, 'closed', 'P2-HJ-1', 'safety', 'general'],
    [160, 'rectifying', 'P1-ZZ-1', 'safety', 'general'],
  ];
  for (const [hours, fate, areaCode, category, level] of recent) {
    plans.push({ finding: findingOf(category), areaCode, reportedAt: new Date(now.getTime() - hours * HOUR - rng.int(1, 50) * MIN), fate, level });
  }
  // The history before: six months, denser towards now.
  while (plans.length < DEMO_HAZARD_COUNT - MAJOR.length) {
    const finding = rng.pick(FINDINGS);
    const areaCode = finding.category === 'electrical' && rng.chance(0.4) ? rng.pick(electricalAreas) : rng.pick(areas);
    const age = 7 * DAY + rng.next() ** 1.3 * (HISTORY_DAYS - 7) * DAY + rng.int(1, 50) * MIN;
    plans.push({ finding, areaCode, reportedAt: new Date(now.getTime() - age) });
  }
  plans.push({ finding: MAJOR[0]!, areaCode: MAJOR[0]!.area, reportedAt: new Date(now.getTime() - 75 * DAY - 3 * HOUR), major: MAJOR[0] });
  plans.push({ finding: MAJOR[1]!, areaCode: MAJOR[1]!.area, reportedAt: new Date(now.getTime() - 9 * DAY - 5 * HOUR), major: MAJOR[1] });
  plans.sort((a, b) => a.reportedAt.getTime() - b.reportedAt.getTime());

  const hazardRows: (typeof hazards.$inferInsert)[] = [];
  const eventRows: (typeof hazardEvents.$inferInsert)[] = [];
  const pointRows: (typeof hazardPoints.$inferInsert)[] = [];
  const signoffRows: (typeof hazardSignoffs.$inferInsert)[] = [];
  const seqByYear = new Map<number, number>();
  const byStatus: Record<string, number> = {};
  const pointsFor = async (hazardId: string, u: Login, reason: PointReason, points: number, at: Date) =>
    pointRows.push({ id: newId(), tenantId, hazardId, userId: u.id, departmentId: await deptOf(u.unitId), reason, points, at });
  // The most recent general finding in 焊接一班 by worker1 is the one anonymous report.
  let anonymousLeft = 1;

  for (const p of plans) {
    const id = newId();
    const area = unit(p.areaCode);
    const level = p.level ?? p.finding.level ?? pickLevel(rng);
    const policy = policies.get(level) as SlaPolicy;
    const year = zonedParts(p.reportedAt, timeZone).year;
    const seq = (seqByYear.get(year) ?? 0) + 1;
    seqByYear.set(year, seq);
    const ageDays = (now.getTime() - p.reportedAt.getTime()) / DAY;
    let reporterName = rng.pick(reportersFor(p.areaCode));
    const anonymous = anonymousLeft > 0 && !p.major && p.areaCode === 'P2-HJ-1' && ageDays < 40 && ageDays > 10 && level === 'general';
    if (anonymous) anonymousLeft--;
    const reporter = anonymous ? null : login(reporterName);
    if (anonymous) reporterName = '';
    const fixOnSpot = !anonymous && !p.major && !p.fate && reporter !== null && ['leader1', 'head1', 'head2'].includes(reporterName) && rng.chance(0.5);

    // Fate by age: old findings are closed (a few rejected); recent ones are still on somebody's desk.
    let fate: HazardState;
    if (p.fate) fate = p.fate;
    else if (p.major) fate = p.major.open ? 'rectifying' : 'closed';
    else if (fixOnSpot) fate = ageDays < 1 ? 'pending_verification' : 'closed';
    else if (rng.chance(0.05) && !anonymous) fate = 'rejected';
    else if (ageDays > 25) fate = 'closed';
    else fate = rng.pick<HazardState>(['closed', 'closed', 'closed', 'closed', 'closed', 'closed', 'rectifying', 'rework']);

    const steps: Step[] = [];
    const reportedAt = p.reportedAt;
    const respondDueAt = fixOnSpot ? null : new Date(reportedAt.getTime() + policy.respondMinutes * MIN);
    const rectifyDueAt = fixOnSpot ? null : new Date(reportedAt.getTime() + policy.rectifyMinutes * MIN);
    // A fix on the spot always has its before-photo (the service requires one); most other reports too.
    const withPhoto = photoIds !== null && (fixOnSpot || photoRng.chance(PHOTO_SHARE));
    const reportPhotos = withPhoto && photoIds ? [photoIds.before(p.finding.category, photoRng.int(0, 1))] : [];
    const afterPhotos = photoIds ? [photoIds.after(p.finding.category)] : [];
    steps.push({ at: reportedAt, actor: reporter, action: 'reported', to: 'reported', photoIds: reportPhotos, data: { anonymous, fixOnSpot } });

    const row: typeof hazards.$inferInsert = {
      id,
      tenantId,
      orgUnitId: area.id,
      createdAt: reportedAt,
      createdBy: reporter?.id ?? null,
      updatedAt: reportedAt,
      updatedBy: reporter?.id ?? null,
      number: formatHazardNumber(year, seq),
      year,
      seq,
      title: p.finding.title,
      description: p.finding.detail,
      category: p.finding.category,
      level,
      source: rng.pick(['daily', 'daily', 'daily', 'comprehensive', 'specialist', 'seasonal', 'holiday']),
      status: 'reported',
      photoIds: reportPhotos,
      suggestedFix: p.finding.fix,
      anonymous,
      trackingCodeHash: anonymous ? trackingHash(newTrackingCode()) : null,
      reporterUserId: reporter?.id ?? null,
      reporterPersonId: reporter?.personId ?? null,
      reportedAt,
      fixOnSpot,
      departmentId: await deptOf(area.id),
      respondDueAt,
      rectifyDueAt,
      reportToAuthority: level === 'major',
    };
    let at = reportedAt.getTime();
    const later = (minMin: number, maxMin: number) => {
      at += rng.int(minMin, maxMin) * MIN;
      return new Date(Math.min(at, now.getTime() - MIN));
    };
    let status: HazardState = 'reported';
    const move = (to: HazardState) => {
      const from = status;
      status = to;
      return { from, to };
    };

    if (fixOnSpot && reporter) {
      // 即查即改: the reporter fixed it at once; the safety officer verifies.
      const t1 = later(5, 40);
      Object.assign(row, { assigneeUserId: reporter.id, assigneeUnitId: reporter.unitId, assignedAt: t1, departmentId: await deptOf(reporter.unitId), respondedAt: t1, submittedAt: t1, submittedBy: reporter.id, rectifyNotes: '已现场整改。', verifierUserId: officer.id, afterPhotoIds: afterPhotos });
      steps.push({ at: t1, actor: reporter, action: 'fixed_on_spot', ...move('pending_verification'), comment: '已现场整改。', photoIds: afterPhotos, data: { verifierUserId: officer.id } });
      if (fate === 'closed') {
        const t2 = later(60, 600);
        Object.assign(row, { closedAt: t2, closedBy: officer.id, closedOnTime: true });
        steps.push({ at: t2, actor: officer, action: 'passed', ...move('closed'), comment: '复查合格。' });
        await pointsFor(id, reporter, 'valid_report', 2, t2);
        await pointsFor(id, reporter, 'verified_fix', 3, t2);
      }
    } else if (fate !== 'reported') {
      const target = await assigneeFor(row.category, area.id);
      const assignedAt = later(0, 1);
      let assignee: Login;
      let assigneeUnitId: string | null;
      if (target) {
        assignee = [...who.values()].find((l) => l.id === target.userId) ?? officer;
        assigneeUnitId = target.unitId;
        steps.push({ at: assignedAt, actor: null, action: 'assigned', ...move('assigned'), data: { assigneeUserId: assignee.id, assigneeName: assignee.name, assigneeUnitId, ruleId: target.ruleId, via: target.via } });
      } else {
        // No owner with a login: the safety officer assigns it by hand to the equipment department.
        assignee = login('equip1');
        assigneeUnitId = unit('SBDL').id;
        steps.push({ at: assignedAt, actor: null, action: 'assignment_failed', data: { reason: 'no matching rule and no area owner with a login' } });
        const t = later(20, 90);
        steps.push({ at: t, actor: officer, action: 'assigned', ...move('assigned'), data: { assigneeUserId: assignee.id, assigneeName: assignee.name, assigneeUnitId, ruleId: null, via: 'manual' } });
      }
      Object.assign(row, { assigneeUserId: assignee.id, assigneeUnitId, assignedAt, assignmentRuleId: target?.ruleId ?? null, departmentId: await deptOf(assigneeUnitId ?? area.id), verifierUserId: reporter && reporter.id !== assignee.id && ['officer', 'safety', 'leader1', 'head1', 'head2'].includes(reporterName) ? reporter.id : officer.id });

      if (fate === 'rejected') {
        const t = later(15, 180);
        Object.assign(row, { rejectedAt: t, rejectReason: rng.pick(REJECT_REASONS), respondedAt: t, closedOnTime: null });
        steps.push({ at: t, actor: assignee, action: 'rejected', ...move('rejected'), comment: row.rejectReason });
      } else if (fate !== 'assigned') {
        const accepted = later(10, level === 'general' ? 150 : 100);
        row.respondedAt = accepted;
        if (respondDueAt && accepted > respondDueAt) row.respondOverdue = true;
        steps.push({ at: accepted, actor: assignee, action: 'accepted', ...move('rectifying'), comment: '已接收，安排整改。' });
        if (reporter) await pointsFor(id, reporter, 'valid_report', 2, accepted);
        if (level !== 'general') {
          const deadline = new Date(Math.max(accepted.getTime() + DAY, (rectifyDueAt ?? accepted).getTime() - HOUR));
          const plan: RectificationPlan = { measures: p.finding.fix, fundsYuan: level === 'major' ? (p.major?.plan.fundsYuan ?? 50_000) : rng.int(2, 60) * 500, deadline: deadline.toISOString(), responsiblePersonId: assignee.personId ?? assignee.id, interimMeasures: '设置警戒区和警示标识，专人监护。' };
          row.plan = plan;
          const t = later(30, 240);
          steps.push({ at: t, actor: assignee, action: 'plan_saved', comment: null, data: { plan } });
        }
        if (p.major) {
          const tp = later(60, 600);
          const plan = { ...p.major.plan, timeLimit: (rectifyDueAt ?? tp).toISOString() };
          Object.assign(row, { treatmentPlan: plan, treatmentPlanVersion: 1, treatmentPlanAt: tp, reportedToAuthorityAt: later(60, 720), authorityReference: p.major.open ? '苏应急隐患〔2026〕18号' : '苏应急隐患〔2026〕07号' });
          steps.push({ at: tp, actor: assignee, action: 'treatment_plan_saved', data: { planVersion: 1 } });
          steps.push({ at: row.reportedToAuthorityAt as Date, actor: officer, action: 'reported_to_authority', data: { reference: row.authorityReference } });
          const signedAt = later(120, 1440);
          signoffRows.push({ id: newId(), tenantId, hazardId: id, userId: safety.id, roleCodes: ['safety_director'], planVersion: 1, comment: '同意治理方案。', signedAt });
          steps.push({ at: signedAt, actor: safety, action: 'signed_off', comment: '同意治理方案。', data: { planVersion: 1 } });
        }
        // How long the fix takes: most within the deadline, about one in five late.
        const late = !p.major && !p.fate && rng.chance(0.2);
        const windowMin = Math.max(60, ((rectifyDueAt ?? new Date(at)).getTime() - at) / MIN);
        const fixAt = () => (late ? later(Math.round(windowMin) + 60, Math.round(windowMin) + 3 * 1440) : later(Math.round(windowMin * 0.2), Math.round(windowMin * 0.9)));
        if (late && rectifyDueAt && rectifyDueAt < now) {
          // The breach step as the SLA timer writes it (same dedupe key, so the job never repeats it).
          steps.push({ at: rectifyDueAt, actor: null, action: 'overdue', data: { phase: 'rectify', dueAt: rectifyDueAt.toISOString(), escalationLevel: 1 }, dedupeKey: slaKey(id, 'rectify', 'breach') });
          Object.assign(row, { rectifyOverdue: true, escalationLevel: 1 });
        }
        const wantsSubmit = ['pending_verification', 'rework', 'closed'].includes(fate);
        if (wantsSubmit) {
          const rework = fate === 'rework' || (fate === 'closed' && rng.chance(0.12));
          let submitted = fixAt();
          steps.push({ at: submitted, actor: assignee, action: 'submitted', ...move('pending_verification'), comment: '已按要求整改完毕，请复查。', photoIds: afterPhotos });
          if (rework) {
            const failedAt = later(60, 1200);
            const verifier = [...who.values()].find((l) => l.id === row.verifierUserId) ?? officer;
            steps.push({ at: failedAt, actor: verifier, action: 'failed', ...move('rework'), comment: rng.pick(FAIL_REASONS), data: { reworkCount: 1 } });
            row.reworkCount = 1;
            if (fate === 'closed') {
              submitted = later(120, 1440);
              steps.push({ at: submitted, actor: assignee, action: 'submitted', ...move('pending_verification'), comment: '已重新整改。', photoIds: afterPhotos });
            }
          }
          Object.assign(row, { submittedAt: submitted, submittedBy: assignee.id, rectifyNotes: '已按要求整改完毕。', afterPhotoIds: afterPhotos });
          if (fate === 'closed') {
            const verifier = [...who.values()].find((l) => l.id === row.verifierUserId) ?? officer;
            const closedAt = later(60, 1440);
            Object.assign(row, { closedAt, closedBy: verifier.id, closedOnTime: rectifyDueAt ? submitted.getTime() <= rectifyDueAt.getTime() : true });
            steps.push({ at: closedAt, actor: verifier, action: 'passed', ...move('closed'), comment: '复查合格，同意销号。' });
            await pointsFor(id, assignee, 'verified_fix', 3, closedAt);
          }
        } else if (rectifyDueAt && rectifyDueAt < now && !row.rectifyOverdue) {
          // Still being fixed past its deadline: overdue, escalated to the department head.
          steps.push({ at: rectifyDueAt, actor: null, action: 'overdue', data: { phase: 'rectify', dueAt: rectifyDueAt.toISOString(), escalationLevel: 1 }, dedupeKey: slaKey(id, 'rectify', 'breach') });
          Object.assign(row, { rectifyOverdue: true, escalationLevel: 1 });
        }
      } else if (respondDueAt && respondDueAt < now) {
        row.respondOverdue = true;
        row.escalationLevel = 1;
        steps.push({ at: respondDueAt, actor: null, action: 'overdue', data: { phase: 'respond', dueAt: respondDueAt.toISOString(), escalationLevel: 1 }, dedupeKey: slaKey(id, 'respond', 'breach') });
      }
    } else {
      steps.push({ at: later(0, 1), actor: null, action: 'assignment_failed', data: { reason: 'no matching rule and no area owner with a login' } });
    }
    row.status = status;
    row.version = steps.length;
    const last = steps[steps.length - 1] as Step;
    row.updatedAt = last.at;
    row.updatedBy = last.actor?.id ?? null;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    hazardRows.push(row);
    for (const st of steps) {
      eventRows.push({
        id: newId(),
        tenantId,
        hazardId: id,
        at: st.at,
        actorUserId: st.actor?.id ?? null,
        // As addTimeline: the system names itself, the anonymous reporter has no name.
        actorName: st.actor ? st.actor.name : st.action === 'reported' ? null : 'system',
        action: st.action,
        fromStatus: st.from ?? null,
        toStatus: st.to ?? null,
        comment: st.comment ?? null,
        photoIds: st.photoIds ?? [],
        data: st.data ?? {},
        dedupeKey: st.dedupeKey ?? null,
      });
    }
  }

  for (let i = 0; i < hazardRows.length; i += 100) await tx.insert(hazards).values(hazardRows.slice(i, i + 100));
  for (let i = 0; i < eventRows.length; i += 200) await tx.insert(hazardEvents).values(eventRows.slice(i, i + 200));
  if (pointRows.length) await tx.insert(hazardPoints).values(pointRows);
  if (signoffRows.length) await tx.insert(hazardSignoffs).values(signoffRows);
  for (const [year, last] of seqByYear) await tx.insert(hazardCounters).values({ tenantId, year, last });

  // Timers of what is still open, as the services arm them (only deadlines still ahead: the past is written above).
  const inserted = await tx.select().from(hazards).where(and(eq(hazards.tenantId, tenantId), inArray(hazards.status, ['reported', 'assigned', 'rectifying', 'rework', 'pending_verification'])));
  for (const h of inserted) {
    const policy = policies.get(h.level) as SlaPolicy;
    if (h.status === 'pending_verification') await armVerify(tx, h, policy);
    else if (h.rectifyDueAt && h.rectifyDueAt > now) await armDeadline(tx, h, 'rectify', h.reportedAt, policy);
    if ((h.status === 'assigned' || h.status === 'reported') && h.respondDueAt && h.respondDueAt > now) await armDeadline(tx, h, 'respond', h.assignedAt ?? h.reportedAt, policy);
  }

  const counts: DemoHazardCounts = { hazards: hazardRows.length, byStatus, events: eventRows.length, points: pointRows.length, rules: rules.length };
  await recordChange(
    tx,
    systemCtx(db, tenantId, () => now),
    { action: 'demo.hazards_seeded', entityType: 'tenant', entityId: tenantId, after: { ...counts } },
    { type: 'demo.hazards_seeded', entityType: 'tenant', entityId: tenantId, payload: { hazards: counts.hazards } },
  );
  return counts;
}
