import { sql, type Kysely, type Migration } from "kysely";

/**
 * Check runs, the users each run covers (fixed when it starts, so a resumed run checks exactly the same people),
 * and one result per run and user. The primary key (run_id, user_id) makes "checked twice" impossible to store.
 */
export const migration010CheckRuns: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable("check_runs")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("org_id", "text", (c) => c.notNull().references("organizations.id").onDelete("cascade"))
      .addColumn("state", "text", (c) => c.notNull())
      .addColumn("depth", "text", (c) => c.notNull())
      .addColumn("scope", "text", (c) => c.notNull())
      .addColumn("access_type", "text", (c) => c.notNull())
      .addColumn("config_version", "integer")
      .addColumn("draft_enc", "text")
      .addColumn("concurrency", "integer", (c) => c.notNull())
      .addColumn("total", "integer", (c) => c.notNull())
      .addColumn("done", "integer", (c) => c.notNull())
      .addColumn("counts_json", "text", (c) => c.notNull())
      .addColumn("preflight_json", "text")
      .addColumn("stop_category", "text")
      .addColumn("stop_detail", "text")
      .addColumn("started_by", "text", (c) => c.notNull())
      .addColumn("started_at", "text", (c) => c.notNull())
      .addColumn("finished_at", "text")
      .execute();
    await db.schema
      .createIndex("check_runs_org_started_idx")
      .on("check_runs")
      .columns(["org_id", "started_at"])
      .execute();
    // One active run per organization, enforced by the database so two concurrent POSTs cannot both start.
    await db.schema
      .createIndex("check_runs_one_active_per_org")
      .on("check_runs")
      .column("org_id")
      .unique()
      .where(sql.ref("state"), "in", ["preflight", "running"])
      .execute();
    await db.schema.createIndex("check_runs_state_idx").on("check_runs").column("state").execute();

    await db.schema
      .createTable("check_run_users")
      .addColumn("run_id", "text", (c) => c.notNull().references("check_runs.id").onDelete("cascade"))
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("check_run_users_pk", ["run_id", "user_id"])
      .execute();

    await db.schema
      .createTable("check_results")
      .addColumn("run_id", "text", (c) => c.notNull().references("check_runs.id").onDelete("cascade"))
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("category", "text", (c) => c.notNull())
      .addColumn("severity", "text", (c) => c.notNull())
      .addColumn("detail", "text")
      .addColumn("primary_smtp_address", "text")
      .addColumn("http_status", "integer")
      .addColumn("attempts", "integer", (c) => c.notNull())
      .addColumn("duration_ms", "integer", (c) => c.notNull())
      .addColumn("steps_json", "text", (c) => c.notNull())
      .addColumn("checked_at", "text", (c) => c.notNull())
      .addPrimaryKeyConstraint("check_results_pk", ["run_id", "user_id"])
      .execute();
    // Result pages are ordered by email, optionally filtered by category or severity.
    await db.schema
      .createIndex("check_results_email_idx")
      .on("check_results")
      .columns(["run_id", "email", "user_id"])
      .execute();
    await db.schema
      .createIndex("check_results_category_idx")
      .on("check_results")
      .columns(["run_id", "category", "email", "user_id"])
      .execute();
    await db.schema
      .createIndex("check_results_severity_idx")
      .on("check_results")
      .columns(["run_id", "severity", "email", "user_id"])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable("check_results").execute();
    await db.schema.dropTable("check_run_users").execute();
    await db.schema.dropTable("check_runs").execute();
  },
};
