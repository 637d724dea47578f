import { and, eq } from 'drizzle-orm';
import { recordChange } from '../platform/audit/record.ts';
import { systemCtx } from '../platform/auth/actor.ts';
import type { Database, Tx } from '../platform/db/client.ts';
import { newId } from '../platform/db/columns.ts';
import { jobs } from '../platform/jobs/schema.ts';
import { DEFAULT_MAX_ATTEMPTS } from '../platform/jobs/service.ts';
import { orgUnits, positions } from '../platform/org/schema.ts';
import { addMonths } from '../modules/risks/assess.ts';
import { ensureRiskDefaults } from '../modules/risks/defaults.ts';
import { bandFor, scoreFactors } from '../modules/risks/methodRules.ts';
import { REASSESS_JOB, reassessKey } from '../modules/risks/reassessment.ts';
import {
  riskAssessments,
  riskControlMeasures,
  riskEvents,
  riskMethods,
  riskObjects,
  riskUnits,
  type CheckCycleUnit,
  type RiskObjectType,
  type WorkDayType,
} from '../modules/risks/schema.ts';
import { seededRandom } from './random.ts';

/**
 * A risk register (风险分级管控清单) for every demo plant (issue 5): 16 risk objects of a machinery plant
 * — welding, presses, cranes, forklifts, the paint shop, electrical rooms, compressed air, dust, melting,
 * heat treatment, machining, assembly — with 48 risk events across all four levels, LEC assessments made
 * with the tenant's own method and bands (so the demo shows what the configuration gives), and control
 * measures with check cycles for inspections to plan from. Rows are written in bulk, reminders included
 * (the first start stays fast), with the same fields and job keys the risk services write.
 */

/** Which workshop of a plant an object belongs in (first workshop when the plant has none of that kind). */
type Shop = 'weld' | 'press' | 'paint' | 'cast' | 'heat' | 'machining' | 'assembly';

/** [description, classify1, classify2, 隐患排查内容, cycle, unit, work days, responsible position code]. */
type M = [string, string, string, string, number, CheckCycleUnit, WorkDayType, string];

interface Ev {
  name: string;
  consequences: string;
  /** LEC inherent L, E, C. */
  f: [number, number, number];
  /** LEC residual after the controls, when assessed. */
  residual?: [number, number, number];
  m: M[];
}

interface Obj {
  shop: Shop;
  type: RiskObjectType;
  name: string;
  unit: string;
  events: Ev[];
}

const PPE: M = ['作业人员按规定佩戴劳动防护用品', 'emergency', 'ppe', '检查防护用品佩戴和完好情况', 1, 'day', 'workdays', 'LEADER'];
const CERT = (pos: string): M => ['特种作业人员持证上岗，证件在有效期内', 'operation', 'qualification', '核对操作证和有效期', 1, 'month', 'workdays', pos];

const CATALOG: readonly Obj[] = [
  {
    shop: 'weld',
    type: 'operation',
    name: '焊接作业',
    unit: '焊接工位区',
    events: [
      { name: '焊接烟尘致职业病', consequences: '职业病（电焊工尘肺、锰中毒）', f: [6, 6, 7], residual: [3, 6, 3], m: [['焊接烟尘净化器运行正常，吸气罩贴近焊点', 'engineering', 'key_equipment', '检查净化器运行、滤芯压差和吸气罩位置', 1, 'day', 'workdays', 'WELD'], PPE] },
      { name: '焊接电弧光灼伤眼睛', consequences: '电光性眼炎', f: [3, 6, 3], m: [['焊接工位设置挡光屏', 'engineering', 'engineering_other', '检查挡光屏完好、无缺口', 1, 'week', 'workdays', 'LEADER'], PPE] },
      { name: '电焊机漏电触电', consequences: '触电', f: [3, 6, 15], m: [['电焊机外壳可靠接地，一次线不超过 5 m', 'engineering', 'safety_accessory', '检查接地线连接和一次线长度、绝缘', 1, 'day', 'workdays', 'ELEC'], CERT('WELD')] },
    ],
  },
  {
    shop: 'weld',
    type: 'operation',
    name: '气割与气瓶使用',
    unit: '切割下料区',
    events: [
      { name: '氧气乙炔瓶泄漏引发火灾爆炸', consequences: '火灾、爆炸、多人伤亡', f: [3, 6, 40], m: [['气瓶直立固定防倒，两瓶间距不小于 5 m，距明火不小于 10 m', 'engineering', 'engineering_other', '检查气瓶固定、间距和瓶阀、回火防止器', 1, 'day', 'every_day', 'WELD'], ['配备灭火器并定期检查', 'emergency', 'fire_facility', '检查灭火器压力和有效期', 1, 'month', 'workdays', 'SAFETY']] },
      { name: '切割飞溅引燃周边可燃物', consequences: '火灾', f: [3, 3, 15], m: [['动火作业办理作业票，清除 10 m 内可燃物并设监火人', 'operation', 'operation_record', '核对动火作业票和现场可燃物清理', 1, 'day', 'workdays', 'SAFETY']] },
      { name: '割炬回火伤人', consequences: '灼烫', f: [1, 6, 7], m: [['割炬和减压器加装回火防止器', 'engineering', 'safety_accessory', '检查回火防止器完好', 1, 'week', 'workdays', 'WELD']] },
    ],
  },
  {
    shop: 'press',
    type: 'equipment',
    name: '冲压机（63 t～250 t）',
    unit: '冲压生产线',
    events: [
      { name: '冲压滑块误动作压手', consequences: '机械伤害（断指）', f: [6, 6, 15], residual: [1, 6, 15], m: [['双手按钮与光电保护装置有效，联锁不得短接', 'engineering', 'safety_instrument', '试验光幕遮挡停机和双手按钮同步', 1, 'day', 'workdays', 'OP'], ['离合器、制动器定期检查调整', 'maintenance', 'rotating_equipment', '检查停机滑块下滑量', 1, 'week', 'workdays', 'MAINT']] },
      { name: '模具崩裂碎片飞出伤人', consequences: '物体打击', f: [1, 6, 15], m: [['模具安装后试冲检查，裂纹模具停用', 'operation', 'operation_record', '查看换模记录和模具外观', 1, 'week', 'workdays', 'LEADER']] },
      { name: '冲压噪声致听力损伤', consequences: '职业性噪声聋', f: [6, 6, 3], m: [['噪声岗位佩戴耳塞，设置噪声警示标识', 'emergency', 'ppe', '检查耳塞佩戴和警示标识', 1, 'day', 'workdays', 'LEADER']] },
    ],
  },
  {
    shop: 'press',
    type: 'equipment',
    name: '液压机与折弯机',
    unit: '成形区',
    events: [
      { name: '液压机上模下落挤压', consequences: '机械伤害', f: [3, 6, 15], m: [['换模、清理时插入安全销并挂牌上锁', 'operation', 'operation_other', '检查安全销和挂牌上锁记录', 1, 'day', 'workdays', 'OP']] },
      { name: '高压油管爆裂喷油伤人', consequences: '物体打击、火灾', f: [1, 3, 7], m: [['油管和接头定期检查，渗漏即更换', 'maintenance', 'static_equipment', '检查油管老化和渗漏', 1, 'month', 'workdays', 'MAINT']] },
      { name: '折弯时板料反弹伤人', consequences: '物体打击', f: [1, 6, 3], m: [['大板折弯两人配合并使用托料架', 'operation', 'operation_other', '检查托料架和作业方式', 1, 'week', 'workdays', 'LEADER']] },
    ],
  },
  {
    shop: 'assembly',
    type: 'equipment',
    name: '桥式起重机（行车）',
    unit: '行车吊运区',
    events: [
      { name: '吊物坠落砸伤', consequences: '物体打击、死亡', f: [3, 6, 40], residual: [1, 6, 40], m: [['吊钩防脱钩装置、钢丝绳和吊具完好', 'engineering', 'safety_accessory', '检查防脱钩装置、钢丝绳断丝和吊带', 1, 'day', 'every_day', 'CRANE'], ['吊物下方设警戒，严禁站人', 'operation', 'operation_other', '检查警戒线和指挥信号', 1, 'day', 'workdays', 'LEADER'], CERT('CRANE')] },
      { name: '起升限位失效冲顶', consequences: '起重伤害', f: [1, 6, 15], m: [['上升限位、大小车限位每班试验', 'engineering', 'safety_instrument', '空载试验各限位动作', 1, 'day', 'workdays', 'CRANE']] },
      { name: '行车轨道检修时高处坠落', consequences: '高处坠落', f: [1, 2, 15], m: [['检修办理高处作业票，系挂安全带', 'operation', 'operation_record', '核对高处作业票和安全带', 1, 'month', 'workdays', 'SAFETY']] },
    ],
  },
  {
    shop: 'assembly',
    type: 'equipment',
    name: '叉车与厂内运输',
    unit: '物流通道',
    events: [
      { name: '叉车撞人', consequences: '车辆伤害、死亡', f: [3, 6, 15], residual: [1, 6, 15], m: [['人车分流，通道划线，车间内限速 5 km/h', 'engineering', 'engineering_other', '检查通道标线和限速标志', 1, 'week', 'workdays', 'SAFETY'], CERT('FORK')] },
      { name: '叉车超载倾翻', consequences: '车辆伤害', f: [1, 6, 15], m: [['叉车每班点检，载荷不超过额定值', 'maintenance', 'rotating_equipment', '查看叉车点检表', 1, 'day', 'workdays', 'FORK']] },
      { name: '货物堆放超高倒塌', consequences: '物体打击', f: [3, 3, 7], m: [['成品区限高 2 m 并使用货架', 'operation', 'operation_other', '检查堆放高度和货架', 1, 'week', 'workdays', 'LEADER']] },
    ],
  },
  {
    shop: 'paint',
    type: 'area',
    name: '喷漆房',
    unit: '喷涂作业区',
    events: [
      { name: '漆雾积聚遇火源爆炸', consequences: '火灾、爆炸、多人伤亡', f: [3, 6, 40], m: [['排风与喷枪联锁，可燃气体报警仪有效', 'engineering', 'safety_instrument', '检查排风机运行和报警仪标定', 1, 'day', 'every_day', 'PAINT'], ['防爆电气完好，禁止带入火种', 'engineering', 'key_equipment', '检查防爆电气和火种管理', 1, 'week', 'every_day', 'ELEC']] },
      { name: '有机溶剂中毒', consequences: '中毒（苯系物）', f: [3, 6, 7], m: [['佩戴防毒面具，滤盒按时更换', 'emergency', 'ppe', '检查防毒面具和滤盒更换记录', 1, 'day', 'workdays', 'LEADER']] },
      { name: '油漆库房泄漏火灾', consequences: '火灾', f: [1, 6, 15], m: [['油漆库防爆、通风，限量存放', 'engineering', 'engineering_other', '检查库存量和通风', 1, 'week', 'every_day', 'SAFETY'], ['消防器材配置齐全', 'emergency', 'fire_facility', '检查灭火器和消防沙', 1, 'month', 'every_day', 'SAFETY']] },
    ],
  },
  {
    shop: 'paint',
    type: 'process',
    name: '前处理线',
    unit: '酸洗磷化槽区',
    events: [
      { name: '酸液溅出灼伤', consequences: '化学灼伤', f: [3, 6, 7], m: [['配备洗眼器和应急喷淋并每周试用', 'emergency', 'emergency_facility', '试用洗眼器和喷淋', 1, 'week', 'workdays', 'OP'], PPE] },
      { name: '槽体加热温控失效', consequences: '灼烫、设备损坏', f: [1, 6, 7], m: [['温控和超温报警定期校验', 'engineering', 'process_control', '检查温控显示和报警', 1, 'month', 'workdays', 'ELEC']] },
      { name: '地面湿滑摔倒', consequences: '其他伤害', f: [3, 6, 1], m: [['地面防滑并及时清理积液', 'operation', 'operation_other', '检查地面防滑和积液', 1, 'day', 'workdays', 'LEADER']] },
    ],
  },
  {
    shop: 'cast',
    type: 'process',
    name: '中频炉熔炼',
    unit: '熔炼浇注区',
    events: [
      { name: '铁水遇水爆炸', consequences: '爆炸、多人伤亡', f: [3, 6, 40], m: [['浇注区地坑无积水，炉料干燥', 'engineering', 'process_control', '检查地坑积水和炉料干燥', 1, 'day', 'every_day', 'SMELT'], ['冷却水压力、温度报警有效', 'engineering', 'safety_instrument', '检查冷却水报警', 1, 'day', 'every_day', 'ELEC'], ['铁水遇水爆炸现场处置方案每季度演练', 'emergency', 'emergency_plan', '查看演练记录', 1, 'quarter', 'workdays', 'SAFETY']] },
      { name: '浇注铁水飞溅灼烫', consequences: '灼烫', f: [3, 6, 7], m: [['浇注人员穿阻燃服、戴面罩', 'emergency', 'ppe', '检查阻燃服和面罩', 1, 'day', 'workdays', 'LEADER']] },
      { name: '熔炼高温中暑', consequences: '中暑', f: [3, 3, 3], m: [['高温季节设降温设施并调整作息', 'operation', 'operation_other', '检查降温风扇和防暑药品', 1, 'week', 'every_day', 'LEADER']] },
    ],
  },
  {
    shop: 'cast',
    type: 'area',
    name: '造型与落砂',
    unit: '造型落砂区',
    events: [
      { name: '砂处理粉尘致尘肺', consequences: '矽肺', f: [6, 6, 7], residual: [3, 6, 3], m: [['落砂机和砂处理线密闭除尘', 'engineering', 'key_equipment', '检查除尘器运行和管道积尘', 1, 'day', 'workdays', 'OP'], ['粉尘浓度每季度检测', 'operation', 'operation_record', '查看检测报告', 1, 'quarter', 'workdays', 'OH']] },
      { name: '砂箱翻箱挤压', consequences: '机械伤害', f: [1, 6, 7], m: [['翻箱使用专用吊具，专人指挥', 'operation', 'operation_other', '检查吊具和指挥', 1, 'day', 'workdays', 'LEADER']] },
      { name: '落砂机振动伤害', consequences: '手臂振动病', f: [1, 6, 3], m: [['控制接振时间，佩戴防振手套', 'emergency', 'ppe', '检查手套和轮岗记录', 1, 'week', 'workdays', 'LEADER']] },
    ],
  },
  {
    shop: 'heat',
    type: 'equipment',
    name: '热处理炉与淬火油槽',
    unit: '热处理炉区',
    events: [
      { name: '淬火油槽超温着火', consequences: '火灾', f: [3, 6, 15], m: [['油槽超温报警与冷却联锁，配备槽盖', 'engineering', 'safety_instrument', '试验超温报警和槽盖', 1, 'day', 'every_day', 'HEAT'], ['油槽区配置推车式灭火器', 'emergency', 'fire_facility', '检查灭火器', 1, 'month', 'every_day', 'SAFETY']] },
      { name: '可控气氛炉泄漏爆炸', consequences: '爆炸', f: [1, 6, 40], m: [['炉门火帘和氮气吹扫有效', 'engineering', 'process_control', '检查火帘和氮气压力', 1, 'day', 'every_day', 'HEAT']] },
      { name: '出炉工件烫伤', consequences: '灼烫', f: [3, 6, 3], m: [['使用专用夹具，设置高温警示', 'operation', 'operation_other', '检查夹具和警示标识', 1, 'week', 'workdays', 'LEADER']] },
    ],
  },
  {
    shop: 'machining',
    type: 'equipment',
    name: '车床、铣床与加工中心',
    unit: '机加工区',
    events: [
      { name: '旋转卡盘卷入', consequences: '机械伤害', f: [3, 6, 15], m: [['卡盘防护罩联锁有效，禁止戴手套操作', 'engineering', 'safety_accessory', '检查防护罩联锁和着装', 1, 'day', 'workdays', 'LATHE']] },
      { name: '切屑飞溅伤眼', consequences: '其他伤害', f: [3, 6, 1], m: [['佩戴防护眼镜', 'emergency', 'ppe', '检查眼镜佩戴', 1, 'day', 'workdays', 'LEADER']] },
      { name: '砂轮片破裂飞出', consequences: '物体打击', f: [1, 6, 15], m: [['砂轮防护罩完好，托架间隙不大于 3 mm', 'engineering', 'safety_accessory', '检查防护罩和托架间隙', 1, 'week', 'workdays', 'MAINT']] },
    ],
  },
  {
    shop: 'assembly',
    type: 'area',
    name: '总装与调试',
    unit: '总装线',
    events: [
      { name: '调试时设备意外启动', consequences: '机械伤害', f: [3, 3, 15], m: [['调试执行挂牌上锁', 'operation', 'operation_record', '检查上锁挂牌记录', 1, 'day', 'workdays', 'DEBUG']] },
      { name: '高处装配坠落', consequences: '高处坠落', f: [1, 6, 15], m: [['登高平台护栏完好，系安全带', 'engineering', 'engineering_other', '检查平台护栏', 1, 'week', 'workdays', 'LEADER']] },
      { name: '手持电动工具漏电', consequences: '触电', f: [1, 6, 7], m: [['手持电动工具每月绝缘检测', 'maintenance', 'maintenance_other', '查看绝缘检测标签', 1, 'month', 'workdays', 'ELEC']] },
    ],
  },
  {
    shop: 'assembly',
    type: 'area',
    name: '低压配电室',
    unit: '配电室',
    events: [
      { name: '带电作业触电', consequences: '触电、死亡', f: [1, 6, 40], m: [['停电检修执行工作票和验电挂接地', 'operation', 'operation_record', '核对电气工作票', 1, 'week', 'workdays', 'ELEC'], CERT('ELEC')] },
      { name: '电缆过热短路火灾', consequences: '火灾', f: [1, 6, 15], m: [['配电柜每季度红外测温', 'maintenance', 'static_equipment', '查看测温记录', 1, 'quarter', 'workdays', 'ELEC'], ['配电室配置二氧化碳灭火器', 'emergency', 'fire_facility', '检查灭火器', 1, 'month', 'every_day', 'SAFETY']] },
      { name: '小动物进入引发短路', consequences: '停电、设备损坏', f: [1, 3, 3], m: [['门口设挡鼠板，电缆孔洞封堵', 'engineering', 'engineering_other', '检查挡鼠板和封堵', 1, 'month', 'workdays', 'ELEC']] },
    ],
  },
  {
    shop: 'machining',
    type: 'equipment',
    name: '空压站与储气罐',
    unit: '空压站',
    events: [
      { name: '储气罐超压爆炸', consequences: '爆炸', f: [1, 10, 15], m: [['安全阀、压力表在检验有效期内', 'engineering', 'safety_accessory', '检查安全阀铅封和压力表检定日期', 1, 'month', 'every_day', 'EQUIP'], ['储气罐每日排污', 'maintenance', 'static_equipment', '查看排污记录', 1, 'day', 'every_day', 'MAINT']] },
      { name: '空压机噪声', consequences: '噪声聋', f: [3, 6, 1], m: [['空压站隔声，进站戴耳塞', 'emergency', 'ppe', '检查耳塞和隔声门', 1, 'month', 'workdays', 'MAINT']] },
      { name: '压缩空气吹扫伤人', consequences: '其他伤害', f: [1, 3, 3], m: [['禁止用压缩空气吹扫身体', 'operation', 'operation_other', '现场检查作业行为', 1, 'week', 'workdays', 'LEADER']] },
    ],
  },
  {
    shop: 'machining',
    type: 'equipment',
    name: '打磨除尘系统',
    unit: '打磨工位',
    events: [
      { name: '铝镁粉尘爆炸', consequences: '爆炸、多人伤亡', f: [3, 6, 40], m: [['铝镁粉尘单独湿式除尘，不与其他粉尘共用', 'engineering', 'key_equipment', '检查除尘系统分区和水位', 1, 'day', 'every_day', 'OP'], ['每班清扫积尘并记录', 'operation', 'operation_record', '查看清扫记录', 1, 'day', 'workdays', 'LEADER'], ['泄爆、隔爆装置完好', 'engineering', 'safety_accessory', '检查泄爆片和隔爆阀', 1, 'month', 'workdays', 'EQUIP']] },
      { name: '打磨粉尘吸入', consequences: '尘肺', f: [3, 6, 7], m: [['佩戴防尘口罩', 'emergency', 'ppe', '检查口罩佩戴', 1, 'day', 'workdays', 'LEADER']] },
      { name: '角磨机片破碎伤人', consequences: '物体打击', f: [1, 6, 7], m: [['角磨机保留防护罩，使用合格磨片', 'engineering', 'safety_accessory', '检查防护罩和磨片', 1, 'week', 'workdays', 'LEADER']] },
    ],
  },
];

export const DEMO_RISK_EVENTS_PER_PLANT = CATALOG.reduce((n, o) => n + o.events.length, 0);

/** Workshop name keywords per shop kind: the demo workshop a risk object belongs to. */
const SHOP_WORDS: Record<Shop, string[]> = {
  weld: ['焊接', '结构件'],
  press: ['锻压', '结构件', '总装'],
  paint: ['涂装'],
  cast: ['铸造'],
  heat: ['热处理'],
  machining: ['机加工', '锻压', '热处理', '结构件'],
  assembly: ['总装', '铸造', '结构件'],
};

const DAY = 86_400_000;

export interface DemoRiskCounts {
  plants: number;
  objects: number;
  events: number;
  measures: number;
}

/** Seeds the register of every plant of a demo tenant; returns what it wrote. */
export async function seedDemoRisks(tx: Tx, db: Database, tenantId: string, now: Date, seed: number): Promise<DemoRiskCounts> {
  const rnd = seededRandom(seed);
  await ensureRiskDefaults(tx, tenantId);
  const [lec] = await tx
    .select()
    .from(riskMethods)
    .where(and(eq(riskMethods.tenantId, tenantId), eq(riskMethods.code, 'lec')));
  if (!lec) throw new Error('demo risks: method lec missing');
  const units = await tx.select().from(orgUnits).where(eq(orgUnits.tenantId, tenantId));
  const posts = await tx.select({ id: positions.id, code: positions.code }).from(positions).where(eq(positions.tenantId, tenantId));
  const postId = (code: string) => posts.find((p) => p.code === code)?.id ?? null;
  const plants = units.filter((u) => u.kind === 'plant').sort((a, b) => a.code.localeCompare(b.code));
  const objects: (typeof riskObjects.$inferInsert)[] = [];
  const riskUnitRows: (typeof riskUnits.$inferInsert)[] = [];
  const events: (typeof riskEvents.$inferInsert)[] = [];
  const measures: (typeof riskControlMeasures.$inferInsert)[] = [];
  const assessments: (typeof riskAssessments.$inferInsert)[] = [];
  const base = { tenantId, createdAt: now, updatedAt: now };

  const assessment = (eventId: string, orgUnitId: string, kind: 'inherent' | 'residual', f: [number, number, number], at: Date) => {
    const { score, snapshot } = scoreFactors(lec, { L: f[0], E: f[1], C: f[2] }, 'zh-CN');
    const band = bandFor(lec.bands, score);
    if (!band) throw new Error(`demo risks: no band for ${score}`);
    const row = {
      id: newId(),
      ...base,
      orgUnitId,
      createdAt: at,
      updatedAt: at,
      eventId,
      methodId: lec.id,
      methodCode: lec.code,
      methodVersion: lec.version,
      kind,
      factors: snapshot,
      score,
      level: band.level,
      colour: band.colour,
      controlLevels: band.controlLevels,
      bandLabel: band.labelZh,
      assessedByName: '安全环保部',
      assessedAt: at,
      nextDueAt: addMonths(at, 12),
    };
    assessments.push(row);
    return row;
  };

  for (const plant of plants) {
    const shops = units.filter((u) => u.parentId === plant.id && u.kind === 'workshop' && u.active);
    if (shops.length === 0) continue;
    CATALOG.forEach((o, i) => {
      const shop = SHOP_WORDS[o.shop].map((w) => shops.find((s) => s.name.includes(w))).find(Boolean) ?? shops[i % shops.length]!;
      const teams = units.filter((u) => u.parentId === shop.id && u.kind === 'team');
      const objectId = newId();
      objects.push({ id: objectId, ...base, orgUnitId: shop.id, code: `${plant.code}-FX-${String(i + 1).padStart(2, '0')}`, name: o.name, type: o.type });
      const unitId = newId();
      riskUnitRows.push({ id: unitId, ...base, orgUnitId: shop.id, objectId, name: `${shop.name}${o.unit}`, responsiblePersonId: shop.managerPersonId });
      for (const ev of o.events) {
        const eventId = newId();
        // Assessed some time in the past year; a few a little over a year ago, so the demo has re-assessments due.
        const daysAgo = rnd.chance(0.05) ? rnd.int(366, 380) : rnd.int(20, 330);
        const at = new Date(now.getTime() - daysAgo * DAY);
        assessment(eventId, shop.id, 'inherent', ev.f, at);
        const current = ev.residual ? assessment(eventId, shop.id, 'residual', ev.residual, new Date(at.getTime() + rnd.int(7, 15) * DAY)) : assessments[assessments.length - 1]!;
        events.push({
          id: eventId,
          ...base,
          orgUnitId: shop.id,
          objectId,
          unitId,
          name: ev.name,
          consequences: ev.consequences,
          currentAssessmentId: current.id,
          currentKind: current.kind,
          currentScore: current.score,
          currentLevel: current.level,
          currentColour: current.colour,
          currentControlLevels: current.controlLevels,
          assessedAt: current.assessedAt,
          reassessDueAt: current.nextDueAt,
        });
        ev.m.forEach((m, k) => {
          const [description, classify1, classify2, troubleshootContent, checkCycle, checkCycleUnit, workDayType, post] = m;
          // Team-level checks land on a team of the workshop; management checks stay with the workshop.
          const team = ['LEADER', 'SAFETY', 'OH', 'EQUIP'].includes(post) ? null : (teams[k % Math.max(1, teams.length)] ?? null);
          measures.push({
            id: newId(),
            ...base,
            orgUnitId: team?.id ?? shop.id,
            objectId,
            unitId,
            eventId,
            description,
            classify1,
            classify2,
            troubleshootContent,
            checkCycle,
            checkCycleUnit,
            workDayType,
            responsiblePositionId: postId(post),
            responsiblePersonId: null,
          });
        });
      }
    });
  }
  const chunk = async <T>(rows: T[], insert: (part: T[]) => Promise<unknown>) => {
    for (let i = 0; i < rows.length; i += 500) await insert(rows.slice(i, i + 500));
  };
  if (objects.length === 0) return { plants: 0, objects: 0, events: 0, measures: 0 };
  await chunk(objects, (p) => tx.insert(riskObjects).values(p));
  await chunk(riskUnitRows, (p) => tx.insert(riskUnits).values(p));
  await chunk(assessments, (p) => tx.insert(riskAssessments).values(p));
  await chunk(events, (p) => tx.insert(riskEvents).values(p));
  await chunk(measures, (p) => tx.insert(riskControlMeasures).values(p));
  // Each event's re-assessment reminder, as armReassessment would schedule it (one insert instead of one per event).
  await chunk(events, (p) =>
    tx.insert(jobs).values(
      p.map((e) => {
        const due = e.reassessDueAt as Date;
        return { kind: REASSESS_JOB, runAt: due, tenantId, dedupeKey: reassessKey(e.id as string, due), payload: { eventId: e.id, tenantId, dueAt: due.toISOString() }, maxAttempts: DEFAULT_MAX_ATTEMPTS };
      }),
    ),
  );
  const counts = { plants: plants.length, objects: objects.length, events: events.length, measures: measures.length };
  await recordChange(tx, systemCtx(db, tenantId, () => now), { action: 'risk.demo_seeded', entityType: 'tenant', entityId: tenantId, after: counts });
  return counts;
}
