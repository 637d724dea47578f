CREATE TABLE "inspection_findings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"result_id" uuid NOT NULL,
	"stop" integer NOT NULL,
	"item_key" text NOT NULL,
	"control_measure_id" uuid,
	"hazard_id" uuid,
	"hazard_number" text,
	"claimed_at" timestamp with time zone,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspection_plans" (
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
	"source" text NOT NULL,
	"control_measure_id" uuid,
	"check_type" text DEFAULT 'daily' NOT NULL,
	"cycle_unit" text NOT NULL,
	"cycle_interval" integer DEFAULT 1 NOT NULL,
	"day_type" text DEFAULT 'every_day' NOT NULL,
	"assignee_person_id" uuid,
	"assignee_position_id" uuid,
	"route_id" uuid,
	"checkpoint_id" uuid,
	"template_id" uuid NOT NULL,
	"starts_on" date NOT NULL,
	"ends_on" date,
	"generated_until" date,
	"active" boolean DEFAULT true NOT NULL,
	"notes" text
);
--> statement-breakpoint
CREATE TABLE "inspection_results" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"task_id" uuid NOT NULL,
	"stop" integer NOT NULL,
	"checkpoint_id" uuid,
	"item_key" text NOT NULL,
	"kind" text NOT NULL,
	"value" text,
	"reading" double precision,
	"passed" boolean,
	"photo_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"signature_file_id" uuid,
	"remark" text,
	"submitted_at" timestamp with time zone NOT NULL,
	"submitted_by" uuid
);
--> statement-breakpoint
CREATE TABLE "inspection_routes" (
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
	"checkpoint_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "inspection_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"horizon_days" integer DEFAULT 7 NOT NULL,
	"shift_start_hours" integer[] DEFAULT '{0,8,16}'::integer[] NOT NULL,
	"grace_minutes" integer DEFAULT 60 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspection_tasks" (
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
	"window_start" timestamp with time zone NOT NULL,
	"window_end" timestamp with time zone NOT NULL,
	"department_id" uuid,
	"assignee_person_id" uuid,
	"assignee_position_id" uuid,
	"control_measure_id" uuid,
	"route_id" uuid,
	"template_version_id" uuid NOT NULL,
	"check_type" text NOT NULL,
	"stops" jsonb NOT NULL,
	"status" text DEFAULT 'planned' NOT NULL,
	"started_at" timestamp with time zone,
	"started_by" uuid,
	"done_at" timestamp with time zone,
	"done_by" uuid,
	"on_time" boolean,
	"missed_at" timestamp with time zone,
	"failed_count" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "inspection_template_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"template_id" uuid NOT NULL,
	"version_no" integer NOT NULL,
	"items" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid
);
--> statement-breakpoint
CREATE TABLE "inspection_templates" (
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
	"current_version_no" integer DEFAULT 1 NOT NULL,
	"is_default" boolean DEFAULT false NOT NULL,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "inspection_findings_item" ON "inspection_findings" USING btree ("task_id","stop","item_key");--> statement-breakpoint
CREATE INDEX "inspection_findings_hazard" ON "inspection_findings" USING btree ("tenant_id","hazard_id");--> statement-breakpoint
CREATE UNIQUE INDEX "inspection_plans_measure" ON "inspection_plans" USING btree ("tenant_id","control_measure_id");--> statement-breakpoint
CREATE INDEX "inspection_plans_tenant_active" ON "inspection_plans" USING btree ("tenant_id","active");--> statement-breakpoint
CREATE UNIQUE INDEX "inspection_results_item" ON "inspection_results" USING btree ("task_id","stop","item_key");--> statement-breakpoint
CREATE INDEX "inspection_routes_tenant" ON "inspection_routes" USING btree ("tenant_id","name");--> statement-breakpoint
CREATE UNIQUE INDEX "inspection_tasks_plan_window" ON "inspection_tasks" USING btree ("plan_id","window_start");--> statement-breakpoint
CREATE INDEX "inspection_tasks_open" ON "inspection_tasks" USING btree ("tenant_id","status","window_end");--> statement-breakpoint
CREATE INDEX "inspection_tasks_assignee" ON "inspection_tasks" USING btree ("tenant_id","assignee_person_id","window_start");--> statement-breakpoint
CREATE INDEX "inspection_tasks_measure" ON "inspection_tasks" USING btree ("tenant_id","control_measure_id","window_start");--> statement-breakpoint
CREATE INDEX "inspection_tasks_window" ON "inspection_tasks" USING btree ("tenant_id","window_start");--> statement-breakpoint
CREATE UNIQUE INDEX "inspection_template_versions_no" ON "inspection_template_versions" USING btree ("template_id","version_no");--> statement-breakpoint
CREATE INDEX "inspection_templates_tenant" ON "inspection_templates" USING btree ("tenant_id","name");