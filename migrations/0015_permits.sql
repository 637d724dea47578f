CREATE TABLE "permit_counters" (
	"tenant_id" uuid NOT NULL,
	"prefix" text NOT NULL,
	"year" integer NOT NULL,
	"last" integer NOT NULL,
	CONSTRAINT "permit_counters_tenant_id_prefix_year_pk" PRIMARY KEY("tenant_id","prefix","year")
);
--> statement-breakpoint
CREATE TABLE "permit_follow_ups" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"permit_id" uuid NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"done_at" timestamp with time zone,
	"done_by" uuid,
	"ok" boolean,
	"notes" text,
	"photo_file_id" uuid,
	"signature_file_id" uuid,
	"signature_sha256" text,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "permit_gas_readings" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"permit_id" uuid NOT NULL,
	"taken_at" timestamp with time zone NOT NULL,
	"point" text NOT NULL,
	"o2_pct" double precision,
	"flammable_pct" double precision,
	"flammable_lel_pct" double precision,
	"toxics" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"analyst_person_id" uuid,
	"analyst_name" text NOT NULL,
	"passed" boolean NOT NULL,
	"failures" text[] DEFAULT '{}'::text[] NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" uuid
);
--> statement-breakpoint
CREATE TABLE "permit_measures" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"permit_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"code" text NOT NULL,
	"text" text NOT NULL,
	"responsible_person_id" uuid NOT NULL,
	"applicable" boolean,
	"confirmed_at" timestamp with time zone,
	"confirmed_by" uuid,
	"signature_file_id" uuid,
	"signature_sha256" text
);
--> statement-breakpoint
CREATE TABLE "permit_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"config" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "permit_status_history" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"permit_id" uuid NOT NULL,
	"from_status" text,
	"to_status" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"by_user_id" uuid,
	"reason" text
);
--> statement-breakpoint
CREATE TABLE "permit_verifications" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"permit_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"lat" double precision NOT NULL,
	"lng" double precision NOT NULL,
	"accuracy_m" double precision,
	"photo_file_id" uuid NOT NULL,
	"photo_sha256" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "permit_workers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"permit_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"role" text NOT NULL,
	"certificate_no" text,
	"qualification" jsonb,
	"added_at" timestamp with time zone NOT NULL,
	"added_by" uuid
);
--> statement-breakpoint
CREATE TABLE "permits" (
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
	"type" text NOT NULL,
	"grade" text NOT NULL,
	"location" text NOT NULL,
	"content" text NOT NULL,
	"fields" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_until" timestamp with time zone NOT NULL,
	"original_valid_until" timestamp with time zone NOT NULL,
	"applicant_user_id" uuid NOT NULL,
	"applicant_person_id" uuid,
	"work_unit" text,
	"guardian_person_id" uuid NOT NULL,
	"related_permit_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"jsa" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"qr_token" text NOT NULL,
	"flow_instance_id" uuid,
	"issuer_user_id" uuid,
	"approved_at" timestamp with time zone,
	"activated_at" timestamp with time zone,
	"suspended_at" timestamp with time zone,
	"suspend_reason" text,
	"closed_at" timestamp with time zone,
	"acceptance" jsonb,
	"cancel_reason" text
);
--> statement-breakpoint
CREATE INDEX "permit_follow_ups_permit" ON "permit_follow_ups" USING btree ("tenant_id","permit_id");--> statement-breakpoint
CREATE INDEX "permit_follow_ups_status" ON "permit_follow_ups" USING btree ("tenant_id","status","due_at");--> statement-breakpoint
CREATE INDEX "permit_gas_readings_permit" ON "permit_gas_readings" USING btree ("tenant_id","permit_id","taken_at");--> statement-breakpoint
CREATE INDEX "permit_measures_permit" ON "permit_measures" USING btree ("tenant_id","permit_id","seq");--> statement-breakpoint
CREATE INDEX "permit_status_history_permit" ON "permit_status_history" USING btree ("tenant_id","permit_id","at");--> statement-breakpoint
CREATE INDEX "permit_verifications_permit" ON "permit_verifications" USING btree ("tenant_id","permit_id","at");--> statement-breakpoint
CREATE INDEX "permit_workers_permit" ON "permit_workers" USING btree ("tenant_id","permit_id");--> statement-breakpoint
CREATE UNIQUE INDEX "permit_workers_person_role" ON "permit_workers" USING btree ("permit_id","person_id","role");--> statement-breakpoint
CREATE UNIQUE INDEX "permits_tenant_number" ON "permits" USING btree ("tenant_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "permits_qr_token" ON "permits" USING btree ("qr_token");--> statement-breakpoint
CREATE INDEX "permits_tenant_status" ON "permits" USING btree ("tenant_id","status");--> statement-breakpoint
CREATE INDEX "permits_tenant_unit" ON "permits" USING btree ("tenant_id","org_unit_id");--> statement-breakpoint
CREATE INDEX "permits_tenant_guardian" ON "permits" USING btree ("tenant_id","guardian_person_id","status");