CREATE TABLE "iot_alarm_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"alarm_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"by_user_id" uuid,
	"value" double precision,
	"note" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "iot_alarm_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"point_id" uuid,
	"point_type" text,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"limit" double precision,
	"deadband" double precision DEFAULT 0 NOT NULL,
	"on_delay_s" integer DEFAULT 0 NOT NULL,
	"consecutive" integer DEFAULT 1 NOT NULL,
	"timeout_s" integer,
	"severity" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "iot_alarms" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"point_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"severity" text NOT NULL,
	"state" text NOT NULL,
	"limit" double precision,
	"raised_at" timestamp with time zone NOT NULL,
	"raised_value" double precision,
	"last_value" double precision,
	"peak_value" double precision,
	"last_at" timestamp with time zone NOT NULL,
	"update_count" integer DEFAULT 0 NOT NULL,
	"ack_at" timestamp with time zone,
	"ack_by" uuid,
	"ack_note" text,
	"cleared_at" timestamp with time zone,
	"cleared_by" uuid,
	"shelved_until" timestamp with time zone,
	"shelved_by" uuid,
	"shelve_reason" text,
	"escalation_level" integer DEFAULT 0 NOT NULL,
	"hazard_id" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "iot_devices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"gateway_id" uuid,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"model" text,
	"token_hash" text,
	"token_issued_at" timestamp with time zone,
	"status" text DEFAULT 'offline' NOT NULL,
	"last_seen_at" timestamp with time zone,
	"offline_after_s" integer DEFAULT 300 NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "iot_escalation_steps" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"after_minutes" integer NOT NULL,
	"role_code" text,
	"person_id" uuid,
	"severities" text[] DEFAULT '{critical,major,minor,warning}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "iot_gateways" (
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
	"location" text,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "iot_point_types" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"default_unit" text DEFAULT '' NOT NULL,
	"raw_retention_days" integer DEFAULT 90 NOT NULL,
	"rollup_retention_days" integer DEFAULT 1095 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "iot_points" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"device_id" uuid NOT NULL,
	"key" text NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"unit" text DEFAULT '' NOT NULL,
	"range_min" double precision,
	"range_max" double precision,
	"risk_unit_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"equipment_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"last_value" double precision,
	"last_ts" timestamp with time zone,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "iot_readings" (
	"tenant_id" uuid NOT NULL,
	"point_id" uuid NOT NULL,
	"ts" timestamp with time zone NOT NULL,
	"value" double precision NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "iot_readings_point_id_ts_pk" PRIMARY KEY("point_id","ts")
);
--> statement-breakpoint
CREATE TABLE "iot_rollups" (
	"tenant_id" uuid NOT NULL,
	"point_id" uuid NOT NULL,
	"grain" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" bigint NOT NULL,
	"sum" double precision NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	CONSTRAINT "iot_rollups_point_id_grain_bucket_pk" PRIMARY KEY("point_id","grain","bucket")
);
--> statement-breakpoint
CREATE TABLE "iot_rule_states" (
	"point_id" uuid NOT NULL,
	"rule_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"latched" boolean DEFAULT false NOT NULL,
	"breach_since" timestamp with time zone,
	"breach_count" integer DEFAULT 0 NOT NULL,
	"prev_value" double precision,
	"prev_ts" timestamp with time zone,
	CONSTRAINT "iot_rule_states_point_id_rule_id_pk" PRIMARY KEY("point_id","rule_id")
);
--> statement-breakpoint
CREATE INDEX "iot_alarm_events_alarm" ON "iot_alarm_events" USING btree ("alarm_id","at");--> statement-breakpoint
CREATE INDEX "iot_alarm_rules_point" ON "iot_alarm_rules" USING btree ("tenant_id","point_id");--> statement-breakpoint
CREATE INDEX "iot_alarm_rules_type" ON "iot_alarm_rules" USING btree ("tenant_id","point_type");--> statement-breakpoint
CREATE UNIQUE INDEX "iot_alarms_open" ON "iot_alarms" USING btree ("point_id","rule_id") WHERE state <> 'cleared_ack';--> statement-breakpoint
CREATE INDEX "iot_alarms_tenant_state" ON "iot_alarms" USING btree ("tenant_id","state","raised_at");--> statement-breakpoint
CREATE UNIQUE INDEX "iot_devices_code" ON "iot_devices" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "iot_devices_token" ON "iot_devices" USING btree ("token_hash") WHERE token_hash IS NOT NULL;--> statement-breakpoint
CREATE INDEX "iot_devices_gateway" ON "iot_devices" USING btree ("tenant_id","gateway_id");--> statement-breakpoint
CREATE INDEX "iot_escalation_steps_tenant" ON "iot_escalation_steps" USING btree ("tenant_id","after_minutes");--> statement-breakpoint
CREATE UNIQUE INDEX "iot_gateways_code" ON "iot_gateways" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "iot_point_types_code" ON "iot_point_types" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "iot_points_code" ON "iot_points" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "iot_points_device_key" ON "iot_points" USING btree ("device_id","key");--> statement-breakpoint
CREATE INDEX "iot_points_unit" ON "iot_points" USING btree ("tenant_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "iot_readings_ts_brin" ON "iot_readings" USING brin ("ts");--> statement-breakpoint
CREATE INDEX "iot_rollups_bucket_brin" ON "iot_rollups" USING brin ("bucket");