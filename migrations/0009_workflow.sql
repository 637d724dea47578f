CREATE TABLE "workflow_actions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"task_id" uuid,
	"node_id" text,
	"node_name" text,
	"action" text NOT NULL,
	"actor_user_id" uuid,
	"actor_name" text,
	"on_behalf_of_user_id" uuid,
	"comment" text,
	"signature_file_id" uuid,
	"signature_sha256" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "workflow_definition_versions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"definition_id" uuid NOT NULL,
	"key" text NOT NULL,
	"version_no" integer NOT NULL,
	"name" text NOT NULL,
	"graph" jsonb NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" uuid
);
--> statement-breakpoint
CREATE TABLE "workflow_definitions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"key" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"draft" jsonb NOT NULL,
	"published_version" integer,
	"archived_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workflow_delegations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"user_id" uuid NOT NULL,
	"delegate_user_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"reason" text,
	"cleared_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workflow_instances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"definition_id" uuid NOT NULL,
	"definition_version_id" uuid NOT NULL,
	"key" text NOT NULL,
	"definition_version_no" integer NOT NULL,
	"subject_type" text NOT NULL,
	"subject_id" text NOT NULL,
	"applicant_user_id" uuid NOT NULL,
	"title" text NOT NULL,
	"summary" text,
	"form" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"current_node_id" text,
	"trail" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"round" integer DEFAULT 0 NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "workflow_tasks" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"instance_id" uuid NOT NULL,
	"node_id" text NOT NULL,
	"node_name" text NOT NULL,
	"round" integer NOT NULL,
	"slot" integer NOT NULL,
	"kind" text NOT NULL,
	"assignee_user_id" uuid NOT NULL,
	"on_behalf_of_user_id" uuid,
	"escalated_from_task_id" uuid,
	"status" text NOT NULL,
	"due_at" timestamp with time zone,
	"timeout_fired_at" timestamp with time zone,
	"decided_at" timestamp with time zone,
	"decided_by_user_id" uuid,
	"comment" text,
	"signature_file_id" uuid,
	"signature_sha256" text,
	"created_at" timestamp with time zone NOT NULL,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX "workflow_actions_instance" ON "workflow_actions" USING btree ("instance_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_definition_versions_no" ON "workflow_definition_versions" USING btree ("definition_id","version_no");--> statement-breakpoint
CREATE INDEX "workflow_definition_versions_key" ON "workflow_definition_versions" USING btree ("tenant_id","key","version_no");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_definitions_tenant_key" ON "workflow_definitions" USING btree ("tenant_id","key");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_delegations_user" ON "workflow_delegations" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "workflow_delegations_delegate" ON "workflow_delegations" USING btree ("tenant_id","delegate_user_id");--> statement-breakpoint
CREATE INDEX "workflow_instances_subject" ON "workflow_instances" USING btree ("tenant_id","subject_type","subject_id");--> statement-breakpoint
CREATE INDEX "workflow_instances_applicant" ON "workflow_instances" USING btree ("tenant_id","applicant_user_id","status");--> statement-breakpoint
CREATE UNIQUE INDEX "workflow_instances_one_open" ON "workflow_instances" USING btree ("tenant_id","subject_type","subject_id") WHERE status IN ('running', 'sent_back');--> statement-breakpoint
CREATE INDEX "workflow_tasks_assignee" ON "workflow_tasks" USING btree ("tenant_id","assignee_user_id","status","created_at");--> statement-breakpoint
CREATE INDEX "workflow_tasks_decider" ON "workflow_tasks" USING btree ("tenant_id","decided_by_user_id","decided_at") WHERE decided_by_user_id IS NOT NULL;--> statement-breakpoint
CREATE INDEX "workflow_tasks_instance" ON "workflow_tasks" USING btree ("instance_id","round");