CREATE TABLE "training_attendances" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"session_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"signed_at" timestamp with time zone NOT NULL,
	"via" text NOT NULL,
	"recorded_by" uuid
);
--> statement-breakpoint
CREATE TABLE "training_class_sessions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"course_id" uuid,
	"title" text NOT NULL,
	"trainer" text NOT NULL,
	"location" text NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"hours" integer NOT NULL,
	"token_hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_course_progress" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"course_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"seconds_credited" integer DEFAULT 0 NOT NULL,
	"seconds_reported" integer DEFAULT 0 NOT NULL,
	"last_heartbeat_at" timestamp with time zone,
	"completed_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "training_courses" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"category" text NOT NULL,
	"materials" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"required_minutes" integer NOT NULL,
	"credit_hours" integer NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_exam_attempts" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"exam_id" uuid NOT NULL,
	"person_id" uuid NOT NULL,
	"attempt_no" integer NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"seed" integer NOT NULL,
	"questions" jsonb NOT NULL,
	"answers" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"deadline_at" timestamp with time zone NOT NULL,
	"submitted_at" timestamp with time zone,
	"correct_count" integer,
	"score" integer,
	"passed" boolean
);
--> statement-breakpoint
CREATE TABLE "training_exams" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"title" text NOT NULL,
	"description" text,
	"mode" text NOT NULL,
	"question_ids" uuid[] DEFAULT '{}'::uuid[] NOT NULL,
	"rules" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"time_limit_minutes" integer NOT NULL,
	"pass_mark" integer NOT NULL,
	"retakes" integer DEFAULT 1 NOT NULL,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
CREATE TABLE "training_questions" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"org_unit_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" uuid,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_by" uuid,
	"version" integer DEFAULT 1 NOT NULL,
	"custom" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"kind" text NOT NULL,
	"category" text NOT NULL,
	"difficulty" integer NOT NULL,
	"stem" text NOT NULL,
	"options" jsonb NOT NULL,
	"answer" text[] NOT NULL,
	"explanation" text,
	"external_key" text,
	"active" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
ALTER TABLE "training_settings" ADD COLUMN "induction_min_hours" jsonb DEFAULT '{"company":8,"workshop":8,"team":8}'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "training_attendances_person" ON "training_attendances" USING btree ("tenant_id","session_id","person_id");--> statement-breakpoint
CREATE UNIQUE INDEX "training_class_sessions_token" ON "training_class_sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "training_class_sessions_tenant" ON "training_class_sessions" USING btree ("tenant_id","starts_at");--> statement-breakpoint
CREATE UNIQUE INDEX "training_course_progress_person" ON "training_course_progress" USING btree ("tenant_id","course_id","person_id");--> statement-breakpoint
CREATE INDEX "training_courses_tenant" ON "training_courses" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "training_exam_attempts_one_active" ON "training_exam_attempts" USING btree ("tenant_id","exam_id","person_id") WHERE status = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "training_exam_attempts_no" ON "training_exam_attempts" USING btree ("tenant_id","exam_id","person_id","attempt_no");--> statement-breakpoint
CREATE INDEX "training_exam_attempts_person" ON "training_exam_attempts" USING btree ("tenant_id","person_id");--> statement-breakpoint
CREATE INDEX "training_exams_tenant" ON "training_exams" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "training_questions_pick" ON "training_questions" USING btree ("tenant_id","category","difficulty");--> statement-breakpoint
CREATE UNIQUE INDEX "training_questions_external" ON "training_questions" USING btree ("tenant_id","external_key");