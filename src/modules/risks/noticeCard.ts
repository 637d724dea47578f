import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { notFound } from '../../platform/http/errors.ts';
import { orgUnits, positions, tenants } from '../../platform/org/schema.ts';
import { areaDrillDown, levelLegend } from './mapView.ts';
import { loadArea, loadMap } from './maps.ts';
import { renderNoticeCardPdf, type NoticeCardPrint } from './noticeCardPdf.ts';
import { riskPermissions as P } from './permissions.ts';
import { riskControlMeasures, riskEvents, riskUnits, type RiskLevel } from './schema.ts';

/**
 * 风险告知卡 of a map area: gathers the area's risk events with their controls (the drill-down), splits off
 * the emergency-class measures (classify1 `emergency`: facilities, PPE) into the emergency section after the
 * standard first steps, and renders the PDF in the tenant's language. The QR code links the live area.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const levelRank: Record<RiskLevel, number> = { major: 4, serious: 3, general: 2, low: 1 };

const firstSteps = {
  'zh-CN': ['发现异常立即停止作业，撤离到安全地点，并报告班组长和安全管理人员', '发生火灾拨打 119，人员受伤拨打 120，按现场处置方案处置，不得盲目施救'],
  en: ['On anything abnormal stop work, move to a safe place and tell the team leader and the safety officer', 'Fire: call 119; injuries: call 120; follow the on-site response plan and never attempt a rescue unprotected'],
};

/** Link the card's QR code opens: the four-colour map with this area's drawer open. */
export function areaMapUrl(publicUrl: string, areaId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/risks/map#area=${areaId}`;
}

export async function areaNoticeCardPdf(ctx: Ctx, deps: { publicUrl: string }, areaId: string): Promise<{ pdf: Buffer; fileName: string }> {
  const drill = await areaDrillDown(ctx, areaId);
  const tenantId = ctx.actor.tenantId;
  const { map, legend, tenant } = await ctx.db.tx(async (tx) => {
    const area = await loadArea(tx, tenantId, areaId);
    const [tenant] = await tx.select({ name: tenants.name, locale: tenants.locale }).from(tenants).where(eq(tenants.id, tenantId));
    return { map: await loadMap(tx, tenantId, area.mapId), legend: await levelLegend(tx, tenantId), tenant };
  });
  const locale = tenant?.locale === 'en' ? 'en' : 'zh-CN';
  const label = (level: RiskLevel | null) => {
    const l = legend.find((x) => x.level === level);
    return l ? (locale === 'en' ? l.labelEn : l.labelZh) : locale === 'en' ? 'Not assessed' : '未评价';
  };
  const top = drill.events.reduce<RiskLevel | null>((best, e) => (e.level && (!best || levelRank[e.level] > levelRank[best]) ? e.level : best), null);
  const emergency = new Set<string>(firstSteps[locale]);
  for (const e of drill.events) for (const m of e.measures) if (m.classify1 === 'emergency') emergency.add(m.description);
  const print: NoticeCardPrint = {
    locale,
    companyName: tenant?.name ?? '',
    mapName: map.name,
    areaName: drill.area.name,
    level: top,
    levelLabel: label(top),
    colour: legend.find((l) => l.level === top)?.colour ?? null,
    events: drill.events.map((e) => ({
      name: e.name,
      level: e.level,
      levelLabel: label(e.level),
      colour: e.colour,
      consequences: e.consequences,
      controls: e.measures.filter((m) => m.classify1 !== 'emergency').map((m) => m.description),
    })),
    emergency: [...emergency],
    qrUrl: areaMapUrl(deps.publicUrl, drill.area.id),
    printedDate: ctx.now().toISOString().slice(0, 10),
  };
  const pdf = await renderNoticeCardPdf(print);
  return { pdf, fileName: `risk-notice-card-${drill.area.id}.pdf` };
}

/**
 * 岗位风险告知卡 of a post (position): the risk events whose active control measures that post carries out
 * (the measure's responsible position), each with those measures as its controls, the emergency measures
 * among them after the standard first steps, and the units the risks are in. Reading needs risk:read across
 * the company, as the area card does; another company's post is 404. The QR code opens the live map.
 */
export async function postNoticeCardPdf(ctx: Ctx, deps: { publicUrl: string }, positionId: string): Promise<{ pdf: Buffer; fileName: string }> {
  requirePermission(ctx.actor, P.read);
  if (!UUID.test(positionId)) throw notFound('post');
  const tenantId = ctx.actor.tenantId;
  const data = await ctx.db.tx(async (tx) => {
    const [post] = await tx.select({ id: positions.id, name: positions.name }).from(positions).where(and(eq(positions.tenantId, tenantId), eq(positions.id, positionId)));
    if (!post) throw notFound('post');
    const rows = await tx
      .select({ m: riskControlMeasures, e: riskEvents, unitName: riskUnits.name, deptName: orgUnits.name })
      .from(riskControlMeasures)
      .innerJoin(riskEvents, eq(riskEvents.id, riskControlMeasures.eventId))
      .innerJoin(riskUnits, eq(riskUnits.id, riskEvents.unitId))
      .leftJoin(orgUnits, eq(orgUnits.id, riskUnits.orgUnitId))
      .where(and(eq(riskControlMeasures.tenantId, tenantId), eq(riskControlMeasures.responsiblePositionId, post.id), isNull(riskControlMeasures.archivedAt), isNull(riskEvents.archivedAt), isNull(riskUnits.archivedAt)))
      .orderBy(asc(riskEvents.name), asc(riskControlMeasures.createdAt));
    const [tenant] = await tx.select({ name: tenants.name, locale: tenants.locale }).from(tenants).where(eq(tenants.id, tenantId));
    return { post, rows, tenant, legend: await levelLegend(tx, tenantId) };
  });
  const locale = data.tenant?.locale === 'en' ? 'en' : 'zh-CN';
  const { legend } = data;
  const label = (level: RiskLevel | null) => {
    const l = legend.find((x) => x.level === level);
    return l ? (locale === 'en' ? l.labelEn : l.labelZh) : locale === 'en' ? 'Not assessed' : '未评价';
  };
  const colourOf = (level: RiskLevel | null) => legend.find((l) => l.level === level)?.colour ?? null;
  const byEvent = new Map<string, { e: (typeof data.rows)[number]['e']; controls: string[] }>();
  const emergency = new Set<string>(firstSteps[locale]);
  const places = new Set<string>();
  for (const r of data.rows) {
    places.add(r.deptName ? `${r.deptName} · ${r.unitName}` : r.unitName);
    if (r.m.classify1 === 'emergency') emergency.add(r.m.description);
    const entry = byEvent.get(r.e.id) ?? { e: r.e, controls: [] };
    if (r.m.classify1 !== 'emergency') entry.controls.push(r.m.description);
    byEvent.set(r.e.id, entry);
  }
  const events = [...byEvent.values()].sort((a, b) => (b.e.currentLevel ? levelRank[b.e.currentLevel] : 0) - (a.e.currentLevel ? levelRank[a.e.currentLevel] : 0));
  const top = events[0]?.e.currentLevel ?? null;
  const print: NoticeCardPrint = {
    locale,
    subject: 'post',
    companyName: data.tenant?.name ?? '',
    mapName: [...places].join('；') || '—',
    areaName: data.post.name,
    level: top,
    levelLabel: label(top),
    colour: colourOf(top),
    events: events.map(({ e, controls }) => ({ name: e.name, level: e.currentLevel, levelLabel: label(e.currentLevel), colour: colourOf(e.currentLevel), consequences: e.consequences, controls })),
    emergency: [...emergency],
    qrUrl: `${deps.publicUrl.replace(/\/+$/, '')}/risks/map`,
    printedDate: ctx.now().toISOString().slice(0, 10),
  };
  return { pdf: await renderNoticeCardPdf(print), fileName: `post-risk-notice-card-${data.post.id}.pdf` };
}
