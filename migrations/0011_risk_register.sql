CREATE TABLE "risk_assessments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"event_id" uuid NOT NULL,
	"method_id" uuid NOT NULL,
	"method_code" text NOT NULL,
	"method_version" integer NOT NULL,
	"kind" text NOT NULL,
	"factors" jsonb NOT NULL,
	"score" double precision NOT NULL,
	"level" text NOT NULL,
	"colour" text NOT NULL,
	"control_levels" text[] NOT NULL,
	"band_label" text,
	"note" text,
	"assessed_by" uuid,
	"assessed_by_name" text,
	"assessed_at" timestamp with time zone NOT NULL,
	"next_due_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "risk_control_measures" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"object_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"description" text NOT NULL,
	"classify1" text NOT NULL,
	"classify2" text,
	"classify3" text,
	"troubleshoot_content" text NOT NULL,
	"check_cycle" integer NOT NULL,
	"check_cycle_unit" text NOT NULL,
	"work_day_type" text NOT NULL,
	"responsible_position_id" uuid,
	"responsible_person_id" uuid,
	"data_source" text DEFAULT 'manual' NOT NULL,
	"archived_at" timestamp with time zone,
	"archived_by" uuid,
	"archive_reason" text
);
--> statement-breakpoint
CREATE TABLE "risk_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"object_id" uuid NOT NULL,
	"unit_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"consequences" text,
	"current_assessment_id" uuid,
	"current_kind" text,
	"current_score" double precision,
	"current_level" text,
	"current_colour" text,
	"current_control_levels" text[],
	"assessed_at" timestamp with time zone,
	"reassess_due_at" timestamp with time zone,
	"reassess_notified_for" timestamp with time zone,
	"archived_at" timestamp with time zone,
	"archived_by" uuid,
	"archive_reason" text
);
--> statement-breakpoint
CREATE TABLE "risk_measure_classes" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"parent_code" text,
	"label_zh" text NOT NULL,
	"label_en" text NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "risk_methods" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"description" text,
	"formula" text DEFAULT 'product' NOT NULL,
	"factors" jsonb NOT NULL,
	"bands" jsonb NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "risk_objects" (
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
	"type" text NOT NULL,
	"description" text,
	"archived_at" timestamp with time zone,
	"archived_by" uuid,
	"archive_reason" text
);
--> statement-breakpoint
CREATE TABLE "risk_reassessment_requests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"event_id" uuid NOT NULL,
	"reason" text NOT NULL,
	"source_type" text,
	"source_id" text,
	"requested_at" timestamp with time zone NOT NULL,
	"requested_by" uuid,
	"resolved_at" timestamp with time zone,
	"resolved_assessment_id" uuid
);
--> statement-breakpoint
CREATE TABLE "risk_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"reassess_interval_months" integer NOT NULL,
	"default_method_code" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "risk_units" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"object_id" uuid NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"responsible_person_id" uuid,
	"archived_at" timestamp with time zone,
	"archived_by" uuid,
	"archive_reason" text
);
--> statement-breakpoint
CREATE INDEX "risk_assessments_event" ON "risk_assessments" USING btree ("event_id","assessed_at");--> statement-breakpoint
CREATE INDEX "risk_measures_tenant_event" ON "risk_control_measures" USING btree ("tenant_id","event_id");--> statement-breakpoint
CREATE INDEX "risk_measures_tenant_unit" ON "risk_control_measures" USING btree ("tenant_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "risk_events_tenant_unit" ON "risk_events" USING btree ("tenant_id","unit_id");--> statement-breakpoint
CREATE INDEX "risk_events_tenant_object" ON "risk_events" USING btree ("tenant_id","object_id");--> statement-breakpoint
CREATE INDEX "risk_events_tenant_org" ON "risk_events" USING btree ("tenant_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "risk_events_tenant_level" ON "risk_events" USING btree ("tenant_id","current_level");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_measure_classes_code" ON "risk_measure_classes" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_methods_tenant_code" ON "risk_methods" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_objects_tenant_code" ON "risk_objects" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE INDEX "risk_objects_tenant_unit" ON "risk_objects" USING btree ("tenant_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "risk_reassessment_requests_event" ON "risk_reassessment_requests" USING btree ("event_id","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "risk_reassessment_requests_source" ON "risk_reassessment_requests" USING btree ("event_id","source_type","source_id") WHERE source_type IS NOT NULL;--> statement-breakpoint
CREATE INDEX "risk_units_tenant_object" ON "risk_units" USING btree ("tenant_id","object_id");--> statement-breakpoint
CREATE INDEX "risk_units_tenant_unit" ON "risk_units" USING btree ("tenant_id","org_unit_id");