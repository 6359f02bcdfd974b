CREATE TABLE "dataset_versions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dataset_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"status" text NOT NULL,
	"operation" text NOT NULL,
	"parent_version_id" bigint,
	"prefix" text NOT NULL,
	"schema" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"row_count" bigint DEFAULT 0 NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"file_count" integer DEFAULT 0 NOT NULL,
	"run_id" uuid,
	"changed_partitions" jsonb,
	"facets" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"committed_at" timestamp with time zone,
	CONSTRAINT "dataset_versions_committed_check" CHECK (("dataset_versions"."status" = 'committed') = ("dataset_versions"."committed_at" is not null))
);
--> statement-breakpoint
CREATE TABLE "datasets" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"layer" text NOT NULL,
	"name" text NOT NULL,
	"kind" text DEFAULT 'table' NOT NULL,
	"source_table" text,
	"description" text,
	"format" text DEFAULT 'parquet' NOT NULL,
	"bucket" text NOT NULL,
	"prefix" text NOT NULL,
	"schema" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"partition_keys" text[] DEFAULT '{}'::text[] NOT NULL,
	"current_version_id" bigint,
	"facets" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "datasets_name_check" CHECK ("datasets"."name" ~ '^[a-z][a-z0-9_]{0,62}$'),
	CONSTRAINT "datasets_prefix_check" CHECK ("datasets"."prefix" ~ '/$' and position('..' in "datasets"."prefix") = 0)
);
--> statement-breakpoint
CREATE TABLE "files" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dataset_id" uuid NOT NULL,
	"key" text NOT NULL,
	"bytes" bigint NOT NULL,
	"row_count" bigint NOT NULL,
	"row_groups" integer,
	"compression" text,
	"partition" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"column_stats" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sha256" text,
	"created_in_version_id" bigint,
	"run_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ingest_consumption" (
	"ingest_id" text NOT NULL,
	"consumer_dataset_id" uuid NOT NULL,
	"run_id" uuid NOT NULL,
	"consumed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ingest_consumption_ingest_id_consumer_dataset_id_pk" PRIMARY KEY("ingest_id","consumer_dataset_id")
);
--> statement-breakpoint
CREATE TABLE "ingests" (
	"id" text PRIMARY KEY NOT NULL,
	"source_kind" text NOT NULL,
	"source_name" text NOT NULL,
	"content_sha256" text NOT NULL,
	"dataset_id" uuid,
	"version_id" bigint,
	"format" text,
	"row_count" bigint,
	"bytes" bigint,
	"run_id" uuid,
	"upload_id" uuid,
	"facets" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "job_runs" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"job_namespace" text DEFAULT 'keystone' NOT NULL,
	"job" text NOT NULL,
	"parent_run_id" uuid,
	"params" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"engine" text,
	"user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"rows_in" bigint,
	"rows_out" bigint,
	"steps" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"progress" jsonb,
	"error" text,
	"facets" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lineage_edges" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"direction" text NOT NULL,
	"namespace" text NOT NULL,
	"name" text NOT NULL,
	"dataset_id" uuid,
	"version_id" bigint,
	"partition" jsonb,
	"file_id" bigint,
	"ingest_id" text,
	"row_count" bigint,
	"facets" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "query_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"user_id" uuid,
	"saved_query_id" uuid,
	"sql" text NOT NULL,
	"params" jsonb,
	"engine" text NOT NULL,
	"status" text NOT NULL,
	"row_count" bigint,
	"elapsed_ms" integer,
	"bytes_scanned" bigint,
	"estimated_bytes" bigint,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "run_checks" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" uuid NOT NULL,
	"dataset_id" uuid,
	"name" text NOT NULL,
	"action" text NOT NULL,
	"status" text NOT NULL,
	"observed" jsonb,
	"expected" jsonb,
	"message" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_logs" (
	"run_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"level" text NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "run_logs_run_id_seq_pk" PRIMARY KEY("run_id","seq")
);
--> statement-breakpoint
CREATE TABLE "saved_queries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"sql" text NOT NULL,
	"parameters" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "sessions" (
	"token_hash" text PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "uploads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"file_name" text NOT NULL,
	"staging_key" text NOT NULL,
	"bytes" bigint DEFAULT 0 NOT NULL,
	"sha256" text,
	"status" text NOT NULL,
	"detected_table" text,
	"detected_format" text,
	"preview" jsonb,
	"error" text,
	"ingest_id" text,
	"user_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"username" text NOT NULL,
	"display_name" text,
	"password_hash" text NOT NULL,
	"role" text NOT NULL,
	"disabled" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_login_at" timestamp with time zone,
	CONSTRAINT "users_role_check" CHECK ("users"."role" in ('engineer','analyst'))
);
--> statement-breakpoint
CREATE TABLE "version_files" (
	"version_id" bigint NOT NULL,
	"file_id" bigint NOT NULL,
	CONSTRAINT "version_files_version_id_file_id_pk" PRIMARY KEY("version_id","file_id")
);
--> statement-breakpoint
ALTER TABLE "dataset_versions" ADD CONSTRAINT "dataset_versions_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "files" ADD CONSTRAINT "files_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_consumption" ADD CONSTRAINT "ingest_consumption_ingest_id_ingests_id_fk" FOREIGN KEY ("ingest_id") REFERENCES "public"."ingests"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingest_consumption" ADD CONSTRAINT "ingest_consumption_consumer_dataset_id_datasets_id_fk" FOREIGN KEY ("consumer_dataset_id") REFERENCES "public"."datasets"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ingests" ADD CONSTRAINT "ingests_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "job_runs" ADD CONSTRAINT "job_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_edges" ADD CONSTRAINT "lineage_edges_run_id_job_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lineage_edges" ADD CONSTRAINT "lineage_edges_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "query_history" ADD CONSTRAINT "query_history_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "query_history" ADD CONSTRAINT "query_history_saved_query_id_saved_queries_id_fk" FOREIGN KEY ("saved_query_id") REFERENCES "public"."saved_queries"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_checks" ADD CONSTRAINT "run_checks_run_id_job_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_checks" ADD CONSTRAINT "run_checks_dataset_id_datasets_id_fk" FOREIGN KEY ("dataset_id") REFERENCES "public"."datasets"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "run_logs" ADD CONSTRAINT "run_logs_run_id_job_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."job_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "saved_queries" ADD CONSTRAINT "saved_queries_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "uploads" ADD CONSTRAINT "uploads_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_files" ADD CONSTRAINT "version_files_version_id_dataset_versions_id_fk" FOREIGN KEY ("version_id") REFERENCES "public"."dataset_versions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "version_files" ADD CONSTRAINT "version_files_file_id_files_id_fk" FOREIGN KEY ("file_id") REFERENCES "public"."files"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "dataset_versions_dataset_version_key" ON "dataset_versions" USING btree ("dataset_id","version");--> statement-breakpoint
CREATE INDEX "dataset_versions_run_idx" ON "dataset_versions" USING btree ("run_id");--> statement-breakpoint
CREATE UNIQUE INDEX "datasets_layer_name_key" ON "datasets" USING btree ("layer","name");--> statement-breakpoint
CREATE UNIQUE INDEX "files_dataset_key_key" ON "files" USING btree ("dataset_id","key");--> statement-breakpoint
CREATE INDEX "files_partition_idx" ON "files" USING gin ("partition");--> statement-breakpoint
CREATE UNIQUE INDEX "ingests_dataset_content_key" ON "ingests" USING btree ("dataset_id","content_sha256");--> statement-breakpoint
CREATE INDEX "ingests_created_idx" ON "ingests" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "job_runs_job_created_idx" ON "job_runs" USING btree ("job","created_at");--> statement-breakpoint
CREATE INDEX "job_runs_status_idx" ON "job_runs" USING btree ("status");--> statement-breakpoint
CREATE INDEX "lineage_edges_run_idx" ON "lineage_edges" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "lineage_edges_dataset_idx" ON "lineage_edges" USING btree ("dataset_id","direction");--> statement-breakpoint
CREATE INDEX "lineage_edges_name_idx" ON "lineage_edges" USING btree ("namespace","name");--> statement-breakpoint
CREATE INDEX "query_history_user_started_idx" ON "query_history" USING btree ("user_id","started_at");--> statement-breakpoint
CREATE INDEX "run_checks_run_idx" ON "run_checks" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "run_checks_dataset_idx" ON "run_checks" USING btree ("dataset_id");--> statement-breakpoint
CREATE UNIQUE INDEX "saved_queries_name_key" ON "saved_queries" USING btree (lower("name"));--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "uploads_created_idx" ON "uploads" USING btree ("created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "users_username_key" ON "users" USING btree (lower("username"));--> statement-breakpoint
CREATE INDEX "version_files_file_idx" ON "version_files" USING btree ("file_id");