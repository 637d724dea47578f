ALTER TABLE "notification_deliveries" ADD COLUMN "next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD COLUMN "recipient" text;--> statement-breakpoint
CREATE INDEX "notification_deliveries_tenant" ON "notification_deliveries" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "notification_deliveries_due" ON "notification_deliveries" USING btree ("next_attempt_at") WHERE status = 'pending';