CREATE TABLE "hazard_notice_counters" (
	"tenant_id" uuid NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "hazard_notice_counters_tenant_id_year_pk" PRIMARY KEY("tenant_id","year")
);
--> statement-breakpoint
CREATE TABLE "hazard_notice_items" (
	"tenant_id" uuid NOT NULL,
	"notice_id" uuid NOT NULL,
	"hazard_id" uuid NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "hazard_notice_items_notice_id_hazard_id_pk" PRIMARY KEY("notice_id","hazard_id")
);
--> statement-breakpoint
CREATE TABLE "hazard_notices" (
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
	"department_id" uuid NOT NULL,
	"issued_at" timestamp with time zone NOT NULL,
	"issued_by" uuid,
	"issued_by_name" text
);
--> statement-breakpoint
CREATE INDEX "hazard_notice_items_hazard" ON "hazard_notice_items" USING btree ("hazard_id");--> statement-breakpoint
CREATE UNIQUE INDEX "hazard_notices_tenant_number" ON "hazard_notices" USING btree ("tenant_id","number");--> statement-breakpoint
CREATE INDEX "hazard_notices_tenant_issued" ON "hazard_notices" USING btree ("tenant_id","issued_at");