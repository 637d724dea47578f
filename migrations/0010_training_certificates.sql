CREATE TABLE "training_certificate_types" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"code" text NOT NULL,
	"name_zh" text NOT NULL,
	"name_en" text NOT NULL,
	"validity_months" integer,
	"review_interval_months" integer,
	"categories" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"reminder_days" integer[] DEFAULT '{60,30,7}'::integer[] NOT NULL,
	"sort" integer DEFAULT 0 NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_certificates" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"person_id" uuid NOT NULL,
	"type_id" uuid NOT NULL,
	"category" text,
	"number" text NOT NULL,
	"issuer" text NOT NULL,
	"issued_on" date NOT NULL,
	"valid_until" date NOT NULL,
	"next_review_on" date,
	"scan_file_id" uuid,
	"notes" text,
	"revoked_at" timestamp with time zone,
	"revoked_by" uuid,
	"revoke_reason" text
);
--> statement-breakpoint
CREATE TABLE "training_inductions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"person_id" uuid NOT NULL,
	"level" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"due_on" date,
	"completed_at" timestamp with time zone,
	"completed_by" uuid,
	"hours" integer,
	"trainer" text
);
--> statement-breakpoint
CREATE TABLE "training_qualification_states" (
	"tenant_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"target" text NOT NULL,
	"allowed" boolean NOT NULL,
	"reasons" text[] DEFAULT '{}'::text[] NOT NULL,
	"changed_at" timestamp with time zone NOT NULL,
	CONSTRAINT "training_qualification_states_tenant_id_person_id_target_pk" PRIMARY KEY("tenant_id","person_id","target")
);
--> statement-breakpoint
CREATE TABLE "training_requirements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"target_kind" text NOT NULL,
	"target_key" text NOT NULL,
	"type_id" uuid NOT NULL,
	"categories" text[] DEFAULT '{}'::text[] NOT NULL,
	"note" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"induction_due_days" integer DEFAULT 3 NOT NULL,
	"induction_on_hire" boolean DEFAULT true NOT NULL,
	"reminder_hour" integer DEFAULT 8 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "training_certificate_types_code" ON "training_certificate_types" USING btree ("tenant_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "training_certificates_number" ON "training_certificates" USING btree ("tenant_id","type_id","number") WHERE revoked_at IS NULL;--> statement-breakpoint
CREATE INDEX "training_certificates_person" ON "training_certificates" USING btree ("tenant_id","person_id");--> statement-breakpoint
CREATE INDEX "training_certificates_valid_until" ON "training_certificates" USING btree ("tenant_id","valid_until");--> statement-breakpoint
CREATE UNIQUE INDEX "training_inductions_person_level" ON "training_inductions" USING btree ("tenant_id","person_id","level");--> statement-breakpoint
CREATE INDEX "training_requirements_target" ON "training_requirements" USING btree ("tenant_id","target_kind","target_key");