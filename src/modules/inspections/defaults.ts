import { and, eq } from 'drizzle-orm';
import type { Tx } from '../../platform/db/client.ts';
import { newId } from '../../platform/db/columns.ts';
import { tenantZone } from '../../platform/org/calendar.ts';
import { defaultTemplate } from './messages.ts';
import { inspectionSettings, inspectionTemplates, inspectionTemplateVersions } from './schema.ts';

export type InspectionSettingsRow = typeof inspectionSettings.$inferSelect;

/** The tenant's settings (seeded with the defaults on first use). */
export async function ensureInspectionSettings(tx: Tx, tenantId: string): Promise<InspectionSettingsRow> {
  await tx.insert(inspectionSettings).values({ tenantId }).onConflictDoNothing();
  const [row] = await tx.select().from(inspectionSettings).where(eq(inspectionSettings.tenantId, tenantId));
  if (!row) throw new Error('inspection settings missing after insert');
  return row;
}

/**
 * The tenant's default checklist (used by plans generated from control measures), created on first use
 * in the tenant's language. Returns its id and current version id.
 */
export async function ensureDefaultTemplate(tx: Tx, tenantId: string, now: Date): Promise<{ templateId: string; versionId: string }> {
  const [existing] = await tx
    .select({ id: inspectionTemplates.id, no: inspectionTemplates.currentVersionNo })
    .from(inspectionTemplates)
    .where(and(eq(inspectionTemplates.tenantId, tenantId), eq(inspectionTemplates.isDefault, true)))
    .limit(1);
  if (existing) {
    const [v] = await tx
      .select({ id: inspectionTemplateVersions.id })
      .from(inspectionTemplateVersions)
      .where(and(eq(inspectionTemplateVersions.templateId, existing.id), eq(inspectionTemplateVersions.versionNo, existing.no)));
    if (v) return { templateId: existing.id, versionId: v.id };
  }
  const { locale } = await tenantZone(tx, tenantId);
  const templateId = newId();
  const versionId = newId();
  await tx.insert(inspectionTemplates).values({ id: templateId, tenantId, name: defaultTemplate.name[locale], isDefault: true, createdAt: now, updatedAt: now });
  await tx.insert(inspectionTemplateVersions).values({ id: versionId, tenantId, templateId, versionNo: 1, items: defaultTemplate.items(locale), createdAt: now });
  return { templateId, versionId };
}
