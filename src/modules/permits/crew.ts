import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../platform/auth/actor.ts';
import { can, requirePermission } from '../../platform/auth/scope.ts';
import { newId } from '../../platform/db/columns.ts';
import { AppError, invalid } from '../../platform/http/errors.ts';
import { activePerson } from '../../platform/org/directory.ts';
import { checkWorkers } from './apply.ts';
import { ensurePermitConfig } from './config.ts';
import { permitPermissions as P } from './permissions.ts';
import { permits, permitWorkers, type WorkerRole } from './schema.ts';
import { checkVersion, loadPermit, recordPermit, uploadedFile, versionConflict, type PermitRow } from './store.ts';

/**
 * People added to a permit after approval (DESIGN: "people can be added to a permit after approval with
 * their own sign-off").
 *
 * Why an issuer confirmation and not a new approval: GB 30871-2022 4.16 asks for a new permit when the
 * content changes, the scope grows, the location moves or the validity ends; another welder on the same
 * job changes none of these. What the standard does ask of every person on the job is a valid certificate
 * for special operations (4.9) and the safety briefing (安全交底), and of the guardian that they check the
 * workers' certificates (4.10). So the person is checked for the certificate like at application, and the
 * issuer (签发人, the last approver) or a supervisor with permit:manage confirms the addition with a
 * handwritten signature, recorded on the worker row and in the audit log. A change of content, scope or
 * place still needs a new permit.
 */

const openStatuses = ['approved', 'active', 'suspended'] as const;

export interface AddWorkerInput {
  personId: string;
  role: WorkerRole;
  certificateNo?: string | null;
  /** The confirming person's handwritten signature (POST /api/v1/files first). */
  signatureFileId: string;
  version?: number;
}

export async function addWorker(ctx: Ctx, permitId: string, input: AddWorkerInput): Promise<PermitRow> {
  requirePermission(ctx.actor, P.read);
  return ctx.db.tx(async (tx) => {
    const p = await loadPermit(tx, ctx.actor, permitId, { forUpdate: true });
    checkVersion(p, input.version);
    if (!(openStatuses as readonly string[]).includes(p.status)) {
      throw new AppError('conflict', `permit ${p.number} is ${p.status}; people are added after approval while it is approved, active or suspended (before that, change the application)`, { extra: { permitStatus: p.status } });
    }
    if (ctx.actor.userId !== p.issuerUserId && !can(ctx.actor, P.manage)) throw new AppError('forbidden', `only the issuer of the permit or a holder of ${P.manage} adds people after approval`);
    await activePerson(tx, p.tenantId, input.personId, 'personId');
    // 4.10: the guardian does no other work on the permit they watch.
    if (input.personId === p.guardianPersonId) throw invalid('personId', 'guardian', 'personId: the guardian cannot also work on the permit');
    const [dup] = await tx
      .select({ id: permitWorkers.id })
      .from(permitWorkers)
      .where(and(eq(permitWorkers.tenantId, p.tenantId), eq(permitWorkers.permitId, p.id), eq(permitWorkers.personId, input.personId), eq(permitWorkers.role, input.role)));
    if (dup) throw invalid('personId', 'unique', `personId: already on the permit with role ${input.role}`);
    const { config } = await ensurePermitConfig(tx, ctx);
    // 4.9: the same certificate check as at application (refused with the reasons the UI shows).
    const answers = await checkWorkers(tx, ctx, config, p.type, [{ personId: input.personId, role: input.role }]);
    const sig = await uploadedFile(tx, p.tenantId, input.signatureFileId, 'signatureFileId', 'image');
    const now = ctx.now();
    const [worker] = await tx
      .insert(permitWorkers)
      .values({
        id: newId(),
        tenantId: p.tenantId,
        permitId: p.id,
        personId: input.personId,
        role: input.role,
        certificateNo: input.certificateNo?.trim() || null,
        qualification: answers.get(input.personId) ?? null,
        addedAt: now,
        addedBy: ctx.actor.userId,
        confirmedBy: ctx.actor.userId,
        signatureFileId: sig.id,
        signatureSha256: sig.sha256,
      })
      .returning();
    const [after] = await tx
      .update(permits)
      .set({ version: p.version + 1, updatedAt: now, updatedBy: ctx.actor.userId })
      .where(and(eq(permits.id, p.id), eq(permits.version, p.version)))
      .returning();
    if (!after) throw versionConflict(p.version + 1);
    await recordPermit(tx, ctx, 'worker_added', p, after, { workerId: worker!.id, personId: input.personId, role: input.role, confirmedBy: ctx.actor.userId, signatureFileId: sig.id, signatureSha256: sig.sha256 });
    return after;
  });
}
