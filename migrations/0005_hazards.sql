CREATE TABLE "hazard_assignment_rules" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"name" text NOT NULL,
	"priority" integer NOT NULL,
	"category" text,
	"area_unit_id" uuid,
	"responsible_unit_id" uuid,
	"responsible_user_id" uuid,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "hazard_counters" (
	"tenant_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "hazard_counters_tenant_id_year_pk" PRIMARY KEY("tenant_id","year")
);
--> statement-breakpoint
CREATE TABLE "hazard_dict_items" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"code" text NOT NULL,
	"label_zh" text NOT NULL,
	"label_en" text NOT NULL,
	"ext_code" text,
	"sort" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "hazard_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"hazard_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"actor_user_id" uuid,
	"actor_name" text,
	"action" text NOT NULL,
	"from_status" text,
	"to_status" text,
	"comment" text,
	"photo_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"dedupe_key" text
);
--> statement-breakpoint
CREATE TABLE "hazard_extensions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"hazard_id" uuid NOT NULL,
	"requested_by" uuid NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"previous_due_at" timestamp with time zone,
	"new_due_at" timestamp with time zone NOT NULL,
	"reason" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"decided_by" uuid,
	"decided_at" timestamp with time zone,
	"decision_comment" text
);
--> statement-breakpoint
CREATE TABLE "hazard_points" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"hazard_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"department_id" uuid,
	"reason" text NOT NULL,
	"points" integer NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hazard_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"duplicate_window_hours" integer NOT NULL,
	"points_valid_report" integer NOT NULL,
	"points_verified_fix" integer NOT NULL,
	"points_rejected_report" integer NOT NULL,
	"signoff_role_codes" text[] NOT NULL,
	"signoff_user_ids" uuid[] NOT NULL,
	"triage_role_codes" text[] NOT NULL,
	"escalation_role_codes" text[] NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid
);
--> statement-breakpoint
CREATE TABLE "hazard_signoffs" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"hazard_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"role_codes" text[] NOT NULL,
	"plan_version" integer NOT NULL,
	"comment" text,
	"signed_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "hazard_sla_policies" (
	"tenant_id" uuid NOT NULL,
	"level" text NOT NULL,
	"respond_minutes" integer NOT NULL,
	"rectify_minutes" integer NOT NULL,
	"reminder_percent" integer NOT NULL,
	"escalation_delay_minutes" integer NOT NULL,
	"verify_minutes" integer NOT NULL,
	"plan_required" boolean NOT NULL,
	"requires_treatment_plan" boolean NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	CONSTRAINT "hazard_sla_policies_tenant_id_level_pk" PRIMARY KEY("tenant_id","level")
);
--> statement-breakpoint
CREATE TABLE "hazards" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"number" text NOT NULL,
	"year" integer NOT NULL,
	"seq" integer NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"category" text NOT NULL,
	"level" text NOT NULL,
	"source" text,
	"status" text NOT NULL,
	"origin" text DEFAULT 'report' NOT NULL,
	"location" jsonb,
	"photo_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"video_id" uuid,
	"voice_id" uuid,
	"suggested_fix" text,
	"anonymous" boolean DEFAULT false NOT NULL,
	"tracking_code_hash" text,
	"reporter_user_id" uuid,
	"reporter_person_id" uuid,
	"reported_at" timestamp with time zone NOT NULL,
	"fix_on_spot" boolean DEFAULT false NOT NULL,
	"department_id" uuid,
	"assignee_user_id" uuid,
	"assignee_unit_id" uuid,
	"assigned_at" timestamp with time zone,
	"assignment_rule_id" uuid,
	"verifier_user_id" uuid,
	"respond_due_at" timestamp with time zone,
	"rectify_due_at" timestamp with time zone,
	"responded_at" timestamp with time zone,
	"respond_overdue" boolean DEFAULT false NOT NULL,
	"rectify_overdue" boolean DEFAULT false NOT NULL,
	"escalation_level" integer DEFAULT 0 NOT NULL,
	"plan" jsonb,
	"after_photo_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"rectify_notes" text,
	"submitted_at" timestamp with time zone,
	"submitted_by" uuid,
	"rework_count" integer DEFAULT 0 NOT NULL,
	"closed_at" timestamp with time zone,
	"closed_by" uuid,
	"closed_on_time" boolean,
	"rejected_at" timestamp with time zone,
	"reject_reason" text,
	"possible_duplicate_of" uuid,
	"merged_into_id" uuid,
	"treatment_plan" jsonb,
	"treatment_plan_version" integer DEFAULT 0 NOT NULL,
	"treatment_plan_at" timestamp with time zone,
	"report_to_authority" boolean DEFAULT false NOT NULL,
	"reported_to_authority_at" timestamp with time zone,
	"authority_reference" text
);
--> statement-breakpoint
CREATE INDEX "hazard_assignment_rules_tenant" ON "hazard_assignment_rules" USING btree ("tenant_id","priority");--> statement-breakpoint
CREATE UNIQUE INDEX "hazard_dict_items_code" ON "hazard_dict_items" USING btree ("tenant_id","kind","code");--> statement-breakpoint
CREATE INDEX "hazard_events_hazard" ON "hazard_events" USING btree ("hazard_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "hazard_events_dedupe" ON "hazard_events" USING btree ("dedupe_key") WHERE dedupe_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hazard_extensions_hazard" ON "hazard_extensions" USING btree ("hazard_id");--> statement-breakpoint
CREATE UNIQUE INDEX "hazard_extensions_one_pending" ON "hazard_extensions" USING btree ("hazard_id") WHERE status = 'pending';--> statement-breakpoint
CREATE UNIQUE INDEX "hazard_points_once" ON "hazard_points" USING btree ("hazard_id","user_id","reason");--> statement-breakpoint
CREATE INDEX "hazard_points_tenant_at" ON "hazard_points" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "hazard_signoffs_once" ON "hazard_signoffs" USING btree ("hazard_id","user_id","plan_version");--> statement-breakpoint
CREATE UNIQUE INDEX "hazards_tenant_number" ON "hazards" USING btree ("tenant_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "hazards_tracking_code" ON "hazards" USING btree ("tracking_code_hash") WHERE tracking_code_hash IS NOT NULL;--> statement-breakpoint
CREATE INDEX "hazards_tenant_reported" ON "hazards" USING btree ("tenant_id","reported_at","id");--> statement-breakpoint
CREATE INDEX "hazards_tenant_status" ON "hazards" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "hazards_tenant_area" ON "hazards" USING btree ("tenant_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "hazards_tenant_assignee" ON "hazards" USING btree ("tenant_id","assignee_user_id");--> statement-breakpoint
CREATE INDEX "hazards_tenant_reporter" ON "hazards" USING btree ("tenant_id","reporter_user_id");--> statement-breakpoint
CREATE INDEX "hazards_tenant_department" ON "hazards" USING btree ("tenant_id","department_id","reported_at");--> statement-breakpoint
CREATE INDEX "hazards_open_area_category" ON "hazards" USING btree ("tenant_id","org_unit_id","category","reported_at") WHERE status NOT IN ('closed', 'rejected');