CREATE INDEX "jobs_lease" ON "jobs" USING btree ("locked_until") WHERE status = 'running';--> statement-breakpoint
CREATE INDEX "jobs_status_id" ON "jobs" USING btree ("status","id");