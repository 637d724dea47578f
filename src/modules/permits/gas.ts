import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { requirePermission } from '../../platform/auth/scope.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { activePerson } from '../../platform/org/directory.ts';
import { ensurePermitConfig, rulesOf } from './config.ts';
import { armReanalysis, suspendInTx } from './jobs.ts';
import { reasons } from './messages.ts';
import { permitPermissions as P } from './permissions.ts';
import { gasFailures } from './rules.ts';
import { permitGasReadings, permits, type PermitStatus, type ToxicReading } from './schema.ts';
import { loadPermit, recordPermit, transition, versionConflict, type PermitRow } from './store.ts';

/**
 * Gas analysis (reference §1.2): a reading is judged against the tenant's thresholds when recorded. The
 * first passing one moves a draft to gas_tested; a failing one suspends an active permit at once; a
 * passing one on an active confined-space permit moves the next periodic analysis on.
 */

export interface GasReadingInput {
  takenAt: string;
  point: string;
  o2Pct?: number | null;
  flammablePct?: number | null;
  flammableLelPct?: number | null;
  toxics?: ToxicReading[];
  analystPersonId?: string | null;
  analystName: string;
}

const open: readonly PermitStatus[] = ['draft', 'gas_tested', 'approving', 'approved', 'active', 'suspended'];

export type GasReadingRow = typeof permitGasReadings.$inferSelect;

export async function recordGasReading(ctx: Ctx, permitId: string, input: GasReadingInput): Promise<{ reading: GasReadingRow; permit: PermitRow }> {
  requirePermission(ctx.actor, P.gasTest);
  const takenAt = new Date(input.takenAt);
  if (Number.isNaN(takenAt.getTime())) throw invalid('takenAt', 'format', 'takenAt: an ISO date-time');
  const now = ctx.now();
  // A reading from the future cannot prove anything about now (a minute of clock skew between phones is fine).
  if (takenAt.getTime() > now.getTime() + 60_000) throw invalid('takenAt', 'max', 'takenAt: not in the future');
  const values = { o2Pct: input.o2Pct ?? null, flammablePct: input.flammablePct ?? null, flammableLelPct: input.flammableLelPct ?? null, toxics: input.toxics ?? [] };
  if (values.o2Pct === null && values.flammablePct === null && values.toxics.length === 0) throw invalid('o2Pct', 'required', 'o2Pct: a reading needs at least O₂, a flammable or a toxic gas value');
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    if (!open.includes(p.status)) throw new AppError('conflict', `permit ${p.number} is ${p.status}; no more readings`, { extra: { permitStatus: p.status } });
    if (input.analystPersonId) await activePerson(tx, p.tenantId, input.analystPersonId, 'analystPersonId');
    const { config } = await ensurePermitConfig(tx, ctx);
    const rules = rulesOf(config, p);
    const failures = gasFailures(values, rules.gas);
    const passed = failures.length === 0;
    const [reading] = await tx
      .insert(permitGasReadings)
      .values({ id: newId(), tenantId: p.tenantId, permitId: p.id, takenAt, point: input.point.trim(), ...values, analystPersonId: input.analystPersonId ?? null, analystName: input.analystName.trim(), passed, failures, createdAt: now, createdBy: ctx.actor.userId })
      .returning();
    const extra = { readingId: reading!.id, passed, failures };
    let after: PermitRow;
    if (passed && p.status === 'draft') {
      after = await transition(tx, ctx, p, 'gas_test', { event: 'gas_tested', extra });
    } else if (!passed && p.status === 'active') {
      // GB 30871-2022 6.5: an alarm or failing analysis stops the work and evacuates.
      await recordPermit(tx, ctx, 'gas_reading_recorded', p, p, extra);
      after = await suspendInTx(tx, ctx, p, `${reasons.gasFailed[ctx.locale]}: ${failures.join('; ')}`.slice(0, 500), 'suspended_by_gas');
    } else {
      const [row] = await tx
        .update(permits)
        .set({ version: p.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
        .where(and(eq(permits.id, p.id), eq(permits.version, p.version)))
        .returning();
      if (!row) throw versionConflict(p.version + 1);
      after = row;
      await recordPermit(tx, ctx, 'gas_reading_recorded', p, after, extra);
      const periodic = rules.grade.periodicReanalysisMinutes;
      if (passed && p.status === 'active' && periodic !== null) await armReanalysis(tx, after, new Date(takenAt.getTime() + periodic * 60_000));
    }
    return { reading: reading!, permit: after };
  });
}
