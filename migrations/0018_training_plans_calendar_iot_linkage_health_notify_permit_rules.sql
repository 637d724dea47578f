CREATE TABLE "notification_preferences" (
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"severities" text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "notification_preferences_user_id_channel_pk" PRIMARY KEY("user_id","channel")
);
--> statement-breakpoint
CREATE TABLE "notification_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"storm_window_seconds" integer NOT NULL,
	"storm_max_per_window" integer NOT NULL,
	"default_preferences" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "notification_storm_windows" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"channel_key" text NOT NULL,
	"recipient_key" text NOT NULL,
	"group_key" text NOT NULL,
	"type" text NOT NULL,
	"place" text,
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"continued" boolean DEFAULT false NOT NULL,
	"count" integer DEFAULT 0 NOT NULL,
	"suppressed" integer DEFAULT 0 NOT NULL,
	"breakdown" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"severity" text DEFAULT 'info' NOT NULL,
	"summary_sent_at" timestamp with time zone,
	"last_batch_id" text
);
--> statement-breakpoint
CREATE TABLE "calendar_days" (
	"tenant_id" uuid NOT NULL,
	"day" date NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "iot_health_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"flood_count" integer NOT NULL,
	"flood_end_count" integer NOT NULL,
	"flood_window_min" integer NOT NULL,
	"chatter_count" integer NOT NULL,
	"chatter_window_s" integer NOT NULL,
	"fleeting_s" integer NOT NULL,
	"stale_hours" integer NOT NULL,
	"target_per_10min" double precision NOT NULL,
	"target_per_hour" double precision NOT NULL,
	"target_high_pct" double precision NOT NULL,
	"target_medium_pct" double precision NOT NULL,
	"target_low_pct" double precision NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "iot_linkage_executions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"alarm_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"trigger" text NOT NULL,
	"device_id" uuid NOT NULL,
	"command_id" uuid NOT NULL,
	"command" text NOT NULL,
	"topic" text NOT NULL,
	"payload" jsonb NOT NULL,
	"timeout_s" integer NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"message" text,
	"retry_of" uuid,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	"sent_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"updated_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "iot_linkage_rules" (
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
	"point_type" text,
	"point_id" uuid,
	"min_severity" text DEFAULT 'warning' NOT NULL,
	"on_raised" boolean DEFAULT true NOT NULL,
	"on_cleared" boolean DEFAULT false NOT NULL,
	"device_id" uuid NOT NULL,
	"command" text NOT NULL,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"timeout_s" integer,
	"enabled" boolean DEFAULT true NOT NULL,
	"archived_at" timestamp with time zone,
	"archive_reason" text
);
--> statement-breakpoint
CREATE TABLE "iot_linkage_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"default_timeout_s" integer DEFAULT 10 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "permit_settings_versions" (
	"tenant_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"config" jsonb NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid,
	CONSTRAINT "permit_settings_versions_tenant_id_version_pk" PRIMARY KEY("tenant_id","version")
);
--> statement-breakpoint
CREATE TABLE "training_position_requirements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"position_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"course_id" uuid,
	"type_id" uuid,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"valid_months" integer,
	"gates" text[] DEFAULT '{}'::text[] NOT NULL,
	"note" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_plan_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"plan_id" uuid NOT NULL,
	"course_id" uuid,
	"topic" text NOT NULL,
	"position_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"planned_month" integer NOT NULL,
	"hours" integer NOT NULL,
	"trainer" text,
	"status" text DEFAULT 'planned' NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_plans" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"year" integer NOT NULL,
	"month" integer,
	"title" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"notes" text
);
--> statement-breakpoint
ALTER TABLE "notification_deliveries" ADD COLUMN "dedupe_key" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "source_key" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "place" text;--> statement-breakpoint
ALTER TABLE "notifications" ADD COLUMN "label" text;--> statement-breakpoint
ALTER TABLE "training_class_sessions" ADD COLUMN "plan_item_id" uuid;--> statement-breakpoint
ALTER TABLE "permit_workers" ADD COLUMN "confirmed_by" uuid;--> statement-breakpoint
ALTER TABLE "permit_workers" ADD COLUMN "signature_file_id" uuid;--> statement-breakpoint
ALTER TABLE "permit_workers" ADD COLUMN "signature_sha256" text;--> statement-breakpoint
ALTER TABLE "permits" ADD COLUMN "rules" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "notification_storm_windows_key" ON "notification_storm_windows" USING btree ("channel_key","recipient_key","group_key","window_start");--> statement-breakpoint
CREATE UNIQUE INDEX "calendar_days_tenant_day" ON "calendar_days" USING btree ("tenant_id","day");--> statement-breakpoint
CREATE UNIQUE INDEX "iot_linkage_executions_command" ON "iot_linkage_executions" USING btree ("command_id");--> statement-breakpoint
CREATE INDEX "iot_linkage_executions_alarm" ON "iot_linkage_executions" USING btree ("alarm_id","created_at");--> statement-breakpoint
CREATE INDEX "iot_linkage_rules_tenant" ON "iot_linkage_rules" USING btree ("tenant_id","enabled");--> statement-breakpoint
CREATE INDEX "training_position_requirements_position" ON "training_position_requirements" USING btree ("tenant_id","position_id");--> statement-breakpoint
CREATE INDEX "training_plan_items_plan" ON "training_plan_items" USING btree ("tenant_id","plan_id");--> statement-breakpoint
CREATE INDEX "training_plans_period" ON "training_plans" USING btree ("tenant_id","year","month");--> statement-breakpoint
CREATE UNIQUE INDEX "notification_deliveries_dedupe" ON "notification_deliveries" USING btree ("dedupe_key") WHERE dedupe_key IS NOT NULL;