CREATE TABLE "checkpoint_retired_codes" (
	"code" text PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"checkpoint_id" uuid NOT NULL,
	"retired_at" timestamp with time zone NOT NULL,
	"retired_by" uuid,
	"reason" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checkpoint_scans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"checkpoint_id" uuid,
	"expected_checkpoint_id" uuid,
	"user_id" uuid,
	"scanned_at" timestamp with time zone NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"accuracy_m" double precision,
	"distance_m" double precision,
	"result" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "checkpoints" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"equipment_id" uuid,
	"risk_unit_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"lat" double precision,
	"lng" double precision,
	"radius_m" integer,
	"scan_code" text NOT NULL,
	"code_rotated_at" timestamp with time zone,
	"archived_at" timestamp with time zone,
	"archived_by" uuid,
	"archive_reason" text
);
--> statement-breakpoint
CREATE TABLE "equipment" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"model" text,
	"manufacturer" text,
	"location" text,
	"special" boolean DEFAULT false NOT NULL,
	"registration_no" text,
	"last_inspected_on" date,
	"inspection_interval_months" integer,
	"next_inspection_due" date,
	"responsible_person_id" uuid,
	"risk_unit_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"status" text DEFAULT 'in_service' NOT NULL,
	"status_reason" text,
	"status_changed_at" timestamp with time zone,
	"notes" text
);
--> statement-breakpoint
CREATE TABLE "equipment_inspections" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"equipment_id" uuid NOT NULL,
	"inspected_on" date NOT NULL,
	"result" text NOT NULL,
	"inspector" text,
	"report_no" text,
	"certificate_file_id" uuid,
	"next_due" date,
	"notes" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid
);
--> statement-breakpoint
CREATE TABLE "equipment_kinds" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"special" boolean DEFAULT false NOT NULL,
	"inspection_interval_months" integer,
	"sort" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "equipment_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"reminder_days" integer[] DEFAULT '{30,7,0}'::integer[] NOT NULL,
	"reminder_hour" integer DEFAULT 8 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "checkpoint_retired_codes_checkpoint" ON "checkpoint_retired_codes" USING btree ("tenant_id","checkpoint_id");--> statement-breakpoint
CREATE INDEX "checkpoint_scans_checkpoint" ON "checkpoint_scans" USING btree ("tenant_id","checkpoint_id","scanned_at");--> statement-breakpoint
CREATE INDEX "checkpoint_scans_user" ON "checkpoint_scans" USING btree ("tenant_id","user_id","scanned_at");--> statement-breakpoint
CREATE UNIQUE INDEX "checkpoints_scan_code" ON "checkpoints" USING btree ("scan_code");--> statement-breakpoint
CREATE INDEX "checkpoints_tenant_unit" ON "checkpoints" USING btree ("tenant_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "checkpoints_tenant_equipment" ON "checkpoints" USING btree ("tenant_id","equipment_id");--> statement-breakpoint
CREATE UNIQUE INDEX "equipment_tenant_code" ON "equipment" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE INDEX "equipment_tenant_unit" ON "equipment" USING btree ("tenant_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "equipment_tenant_due" ON "equipment" USING btree ("tenant_id","next_inspection_due");--> statement-breakpoint
CREATE INDEX "equipment_inspections_equipment" ON "equipment_inspections" USING btree ("tenant_id","equipment_id","inspected_on");--> statement-breakpoint
CREATE UNIQUE INDEX "equipment_kinds_code" ON "equipment_kinds" USING btree ("tenant_id","code");