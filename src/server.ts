import { adminRoutes, tokenUsageTracking } from './platform/auth/adminRoutes.ts';
import { authRoutes } from './platform/auth/routes.ts';
import { auditRoutes } from './platform/audit/routes.ts';
import { fileRoutes } from './platform/files/routes.ts';
import { streamRoutes } from './platform/events/routes.ts';
import { buildApp, withUploads, type App, type AppDeps } from './platform/http/app.ts';
import { equipmentRoutes } from './modules/equipment/routes.ts';
import { iotRoutes } from './modules/iot/routes.ts';
import { hazardRoutes } from './modules/hazards/routes.ts';
import { permitRoutes } from './modules/permits/routes.ts';
import { inspectionRoutesPlugin } from './modules/inspections/routes.ts';
import { riskRoutes } from './modules/risks/routes.ts';
import { trainingRoutes } from './modules/training/routes.ts';
import { jobRoutes } from './platform/jobs/routes.ts';
import { notifyRoutes } from './platform/notify/routes.ts';
import { orgRoutes } from './platform/org/routes.ts';
import { workflowRoutes } from './platform/workflow/routes.ts';

/**
 * Assembles the HTTP app: platform routes, then module routes. Used by `main.ts` and by tests, so tests
 * exercise exactly what runs in production.
 */
export async function createServer(deps: AppDeps): Promise<App> {
  const app = await buildApp(deps);
  // First: an app-wide hook (API token last-used), so it reaches the routes of every plugin below.
  await app.register(tokenUsageTracking);
  await app.register(authRoutes);
  await app.register(auditRoutes);
  await app.register(adminRoutes);
  await app.register(withUploads(orgRoutes));
  await app.register(jobRoutes);
  await app.register(withUploads(fileRoutes));
  await app.register(streamRoutes);
  await app.register(notifyRoutes);
  await app.register(workflowRoutes);
  await app.register(withUploads(hazardRoutes));
  await app.register(withUploads(riskRoutes));
  await app.register(trainingRoutes);
  await app.register(equipmentRoutes);
  await app.register(iotRoutes);
  await app.register(permitRoutes);
  await app.register(inspectionRoutesPlugin);
  return app;
}
