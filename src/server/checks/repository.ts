/**
 * Check runs in the database: the run row, the users it covers, and its results. The same queries run on SQLite and
 * PostgreSQL. Results and the run's progress are written in one transaction, and each user's latest result is
 * upserted into user_mailbox_status in that same transaction (it feeds GET /api/me/mailbox-status).
 */
import { randomUUID } from "node:crypto";
import { sql, type Transaction } from "kysely";
import { CATEGORIES, isCategoryId } from "../../contract/categories.js";
import type { CategoryId, Severity } from "../../contract/categories.js";
import type { CheckCapabilitiesDto, CheckDepth, CheckRunState, CheckScope } from "../../contract/checks.js";
import type { CheckRunTrigger } from "../../contract/monitoring.js";
import type { Db } from "../db/database.js";
import type { StepOutcome } from "../exchange/driver.js";
import { placementFromJson } from "./storedPlacement.js";
import { decodeCursor, encodeCursor } from "../db/paging.js";
import type { ChecksDb, CheckResultsTable, CheckRunsTable, CheckTables } from "./tables.js";
import { insertRows } from "../db/bulkWrite.js";
import type { CheckResultRecord, CheckRunStore, CheckTargetRow, RunProgress } from "./engine/types.js";

export interface CheckRunRecord {
  id: string;
  orgId: string;
  state: CheckRunState;
  depth: CheckDepth;
  scope: "all" | "list";
  accessType: string;
  configVersion: number | null;
  draftEnc: string | null;
  concurrency: number;
  total: number;
  done: number;
  counts: Partial<Record<CategoryId, number>>;
  preflight: unknown;
  stopCategory: CategoryId | null;
  stopDetail: string | null;
  startedBy: string;
  trigger: CheckRunTrigger;
  /** When its users were queued as chunk jobs that any process works (PostgreSQL); null otherwise. */
  queuedAt: string | null;
  startedAt: string;
  finishedAt: string | null;
  /** The connection profile it checks through; null: the default (a group's parent, and rows before migration 030). */
  profileId: string | null;
  /** A group run's child: its parent's id; null for top-level runs (parents and plain runs). */
  parentRunId: string | null;
  /**
   * A group's parent only, as `get` reads it: its children (done, counts and state each their own). The parent's
   * own done and counts are then their sums.
   */
  members?: CheckRunMember[];
}

/** One child of a group run as its parent's DTO lists it. */
export type CheckRunMember = Omit<CheckRunRecord, "members"> & { profileName: string };

/** A chunk of a run's users: those ordered by id strictly after `after` and up to `last`, both included. */
export interface RunChunk {
  after: string | null;
  last: string;
}

export interface NewCheckRun {
  orgId: string;
  depth: CheckDepth;
  scope: CheckScope;
  accessType: string;
  configVersion: number | null;
  /** Sealed by the caller with the run id it passes in `id`. */
  draftEnc: string | null;
  concurrency: number;
  startedBy: string;
  /** Default manual. */
  trigger?: CheckRunTrigger;
  id?: string;
  /** The profile it checks through (null or absent: not named). */
  profileId?: string | null;
  /** Only these users (already known users of the organization), within `scope`: a profile's share of a run. */
  onlyUserIds?: readonly string[];
}

/** A group run's child as `createGroup` stores it. */
export interface NewChildRun {
  id: string;
  profileId: string;
  accessType: string;
  configVersion: number | null;
  draftEnc: string | null;
  userIds: readonly string[];
}

export type CreateRunOutcome =
  | { kind: "created"; run: CheckRunRecord }
  | { kind: "active_run_exists"; activeRunId: string | null }
  | { kind: "no_users" }
  | { kind: "unknown_users"; userIds: string[] };

export interface ResultsFilter {
  category?: CategoryId;
  severity?: Severity;
  /** Only the results checked through this profile (a group's children of it). */
  profileId?: string;
}

const ID_CHUNK = 500;
const RESULT_COLUMNS = [
  "run_id",
  "user_id",
  "email",
  "category",
  "severity",
  "detail",
  "primary_smtp_address",
  "http_status",
  "attempts",
  "duration_ms",
  "steps_json",
  "capabilities_json",
  "profile_id",
  "suggested_profile_id",
  "placement_json",
  "checked_at",
] as const satisfies ReadonlyArray<keyof CheckResultsTable>;
const STATUS_COLUMNS = ["org_id", "user_id", "run_id", "category", "severity", "detail", "checked_at"] as const;
const STATUS_UPSERT =
  "(org_id, user_id) do update set run_id = excluded.run_id, category = excluded.category, " +
  "severity = excluded.severity, detail = excluded.detail, checked_at = excluded.checked_at";
const ACTIVE_STATES: CheckRunState[] = ["preflight", "running"];

function toRun(row: CheckRunsTable): CheckRunRecord {
  return {
    id: row.id,
    orgId: row.org_id,
    state: row.state as CheckRunState,
    depth: row.depth as CheckDepth,
    scope: row.scope === "list" ? "list" : "all",
    accessType: row.access_type,
    configVersion: row.config_version === null ? null : Number(row.config_version),
    draftEnc: row.draft_enc,
    concurrency: Number(row.concurrency),
    total: Number(row.total),
    done: Number(row.done),
    counts: JSON.parse(row.counts_json) as Partial<Record<CategoryId, number>>,
    preflight: row.preflight_json === null ? null : (JSON.parse(row.preflight_json) as unknown),
    stopCategory: isCategoryId(row.stop_category) ? row.stop_category : null,
    stopDetail: row.stop_detail,
    startedBy: row.started_by,
    trigger: row.run_trigger === "scheduled" || row.run_trigger === "after_change" ? row.run_trigger : "manual",
    queuedAt: row.queued_at ?? null,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    profileId: row.profile_id ?? null,
    parentRunId: row.parent_run_id ?? null,
  };
}

function toResult(row: CheckResultsTable): CheckResultRecord {
  return {
    userId: row.user_id,
    email: row.email,
    category: isCategoryId(row.category) ? row.category : "unknown_error",
    detail: row.detail,
    primarySmtpAddress: row.primary_smtp_address,
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    attempts: Number(row.attempts),
    durationMs: Number(row.duration_ms),
    steps: JSON.parse(row.steps_json) as StepOutcome[],
    capabilities: row.capabilities_json === null ? null : (JSON.parse(row.capabilities_json) as CheckCapabilitiesDto),
    profileId: row.profile_id ?? null,
    suggestedProfileId: row.suggested_profile_id ?? null,
    placement: placementFromJson(row.placement_json),
    checkedAt: new Date(row.checked_at),
  };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let start = 0; start < items.length; start += size) out.push(items.slice(start, start + size));
  return out;
}

export function checkRunsRepository(baseDb: Db, now: () => Date = () => new Date()) {
  const db: ChecksDb = baseDb.withTables<CheckTables>();

  async function activeRunId(orgId: string): Promise<string | null> {
    const row = await db
      .selectFrom("check_runs")
      .select("id")
      .where("org_id", "=", orgId)
      .where("state", "in", ACTIVE_STATES)
      .where("parent_run_id", "is", null)
      .executeTakeFirst();
    return row?.id ?? null;
  }

  async function unknownUserIds(orgId: string, userIds: readonly string[]): Promise<string[]> {
    const unknown: string[] = [];
    for (const chunk of chunks([...new Set(userIds)], ID_CHUNK)) {
      const found = await db
        .selectFrom("org_users")
        .select("id")
        .where("org_id", "=", orgId)
        .where("id", "in", chunk)
        .execute();
      const known = new Set(found.map((row) => row.id));
      unknown.push(...chunk.filter((id) => !known.has(id)));
    }
    return unknown;
  }

  /**
   * The runs whose results are this run's, each with the profile it checked through: a group's children (only
   * `profileId`'s, when given), or the run itself. Null profile id: the organization's default.
   */
  async function resultRuns(runId: string, profileId?: string): Promise<Map<string, string>> {
    const rows = await db
      .selectFrom("check_runs")
      .select(["id", "org_id", "profile_id", "parent_run_id"])
      .where((eb) => eb.or([eb("id", "=", runId), eb("parent_run_id", "=", runId)]))
      .execute();
    const children = rows.filter((row) => row.parent_run_id === runId);
    const own = children.length > 0 ? children : rows.filter((row) => row.id === runId);
    const out = new Map<string, string>();
    for (const row of own) {
      const profile = row.profile_id ?? row.org_id;
      if (profileId === undefined || profile === profileId) out.set(row.id, profile);
    }
    return out;
  }

  /** One page of results ordered by email, after the cursor (a group's: its children's, each with its profile). */
  async function results(
    runId: string,
    filter: ResultsFilter,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: Array<CheckResultRecord & { profileId: string }>; nextCursor: string | null }> {
    const after = decodeCursor(cursor, 2);
    const runs = await resultRuns(runId, filter.profileId);
    if (runs.size === 0) return { items: [], nextCursor: null };
    let query = db
      .selectFrom("check_results")
      .selectAll()
      .where("run_id", "in", [...runs.keys()]);
    if (filter.category !== undefined) query = query.where("category", "=", filter.category);
    if (filter.severity !== undefined) query = query.where("severity", "=", filter.severity);
    if (after) {
      const [email, userId] = after as [string, string];
      query = query.where((eb) =>
        eb.or([eb("email", ">", email), eb.and([eb("email", "=", email), eb("user_id", ">", userId)])]),
      );
    }
    const rows = await query
      .orderBy("email")
      .orderBy("user_id")
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      // The profile the result names (migration 029), else its run's (the child's, or the default's).
      items: page.map((row) => {
        const result = toResult(row);
        return { ...result, profileId: result.profileId ?? runs.get(row.run_id) ?? "" };
      }),
      nextCursor: rows.length > limit && last ? encodeCursor([last.email, last.user_id]) : null,
    };
  }

  /** A group's children, oldest first, each with its profile's name (empty when the profile is gone). */
  async function childrenOf(runId: string): Promise<CheckRunMember[]> {
    const rows = await db
      .selectFrom("check_runs")
      .selectAll()
      .where("parent_run_id", "=", runId)
      .orderBy("id")
      .execute();
    if (rows.length === 0) return [];
    const names = await db
      .selectFrom("email_configs")
      .select(["id", "name"])
      .where("org_id", "=", rows[0]!.org_id)
      .execute();
    const byId = new Map(names.map((row) => [row.id, row.name]));
    return rows.map((row) => {
      const run = toRun(row);
      return { ...run, profileName: byId.get(run.profileId ?? run.orgId) ?? "" };
    });
  }

  /** A parent read with its children: done and counts summed from theirs. */
  function withMembers(run: CheckRunRecord, members: CheckRunMember[]): CheckRunRecord {
    if (members.length === 0) return run;
    if (run.state !== "preflight" && run.state !== "running") return { ...run, members };
    const counts: Partial<Record<CategoryId, number>> = {};
    let done = 0;
    for (const member of members) {
      done += member.done;
      for (const [category, count] of Object.entries(member.counts) as Array<[CategoryId, number]>) {
        counts[category] = (counts[category] ?? 0) + count;
      }
    }
    return { ...run, done, counts, members };
  }

  async function getRun(orgId: string, runId: string): Promise<CheckRunRecord | null> {
    const row = await db
      .selectFrom("check_runs")
      .selectAll()
      .where("org_id", "=", orgId)
      .where("id", "=", runId)
      .executeTakeFirst();
    if (!row) return null;
    const run = toRun(row);
    return run.parentRunId === null ? withMembers(run, await childrenOf(run.id)) : run;
  }

  return {
    /**
     * Creates the run in state preflight and fixes the users it covers. The partial unique index answers the race
     * of two concurrent starts: only one insert can win.
     */
    async create(input: NewCheckRun): Promise<CreateRunOutcome> {
      if ("userIds" in input.scope) {
        const unknown = await unknownUserIds(input.orgId, input.scope.userIds);
        if (unknown.length > 0) return { kind: "unknown_users", userIds: unknown };
      }
      const id = input.id ?? randomUUID();
      const row: CheckRunsTable = {
        id,
        org_id: input.orgId,
        state: "preflight",
        depth: input.depth,
        scope: "all" in input.scope ? "all" : "list",
        access_type: input.accessType,
        config_version: input.configVersion,
        draft_enc: input.draftEnc,
        concurrency: input.concurrency,
        total: 0,
        done: 0,
        counts_json: "{}",
        preflight_json: null,
        stop_category: null,
        stop_detail: null,
        started_by: input.startedBy,
        run_trigger: input.trigger ?? "manual",
        queued_at: null,
        started_at: now().toISOString(),
        finished_at: null,
        parent_run_id: null,
        profile_id: input.profileId ?? null,
      };
      try {
        return await db.transaction().execute(async (trx) => {
          await trx.insertInto("check_runs").values(row).execute();
          const scope = input.scope;
          const snapshot = (userIds: string[] | null) =>
            trx
              .insertInto("check_run_users")
              .columns(["run_id", "user_id", "email"])
              .expression((eb) => {
                let users = eb
                  .selectFrom("org_users")
                  .select([sql<string>`cast(${id} as text)`.as("run_id"), "id", "email"])
                  .where("org_id", "=", input.orgId);
                if (userIds !== null) users = users.where("id", "in", userIds);
                return users;
              })
              .execute();
          if (input.onlyUserIds !== undefined) {
            const listed = "all" in scope ? null : new Set(scope.userIds);
            const only = [...new Set(input.onlyUserIds)].filter((userId) => listed === null || listed.has(userId));
            for (const chunk of chunks(only, ID_CHUNK)) await snapshot(chunk);
          } else if ("all" in scope) await snapshot(null);
          else for (const chunk of chunks([...new Set(scope.userIds)], ID_CHUNK)) await snapshot(chunk);
          const counted = await trx
            .selectFrom("check_run_users")
            .select((eb) => eb.fn.countAll<string | number>().as("count"))
            .where("run_id", "=", id)
            .executeTakeFirstOrThrow();
          const total = Number(counted.count);
          if (total === 0) throw new NoUsersInScope();
          await trx.updateTable("check_runs").set({ total }).where("id", "=", id).execute();
          return { kind: "created" as const, run: toRun({ ...row, total }) };
        });
      } catch (error) {
        if (error instanceof NoUsersInScope) return { kind: "no_users" };
        if (isUniqueViolation(error)) return { kind: "active_run_exists", activeRunId: await activeRunId(input.orgId) };
        throw error;
      }
    },

    /**
     * Creates a group run: the parent (state running, no users of its own) and one child per profile in state
     * preflight with that profile's users, in one transaction. The parent answers the one-active-run race.
     */
    async createGroup(
      input: NewCheckRun & { id: string },
      children: readonly NewChildRun[],
    ): Promise<CreateRunOutcome> {
      const startedAt = now().toISOString();
      const base = {
        org_id: input.orgId,
        depth: input.depth,
        scope: "all" in input.scope ? "all" : "list",
        concurrency: input.concurrency,
        done: 0,
        counts_json: "{}",
        preflight_json: null,
        stop_category: null,
        stop_detail: null,
        started_by: input.startedBy,
        run_trigger: input.trigger ?? "manual",
        queued_at: null,
        started_at: startedAt,
        finished_at: null,
      };
      const total = children.reduce((sum, child) => sum + new Set(child.userIds).size, 0);
      if (total === 0) return { kind: "no_users" };
      const parent: CheckRunsTable = {
        ...base,
        id: input.id,
        state: "running",
        access_type: input.accessType,
        config_version: null,
        draft_enc: null,
        total,
        parent_run_id: null,
        profile_id: null,
      };
      try {
        await db.transaction().execute(async (trx) => {
          await trx.insertInto("check_runs").values(parent).execute();
          for (const child of children) {
            const userIds = [...new Set(child.userIds)];
            await trx
              .insertInto("check_runs")
              .values({
                ...base,
                id: child.id,
                state: "preflight",
                access_type: child.accessType,
                config_version: child.configVersion,
                draft_enc: child.draftEnc,
                total: userIds.length,
                parent_run_id: input.id,
                profile_id: child.profileId,
              })
              .execute();
            for (const chunk of chunks(userIds, ID_CHUNK)) {
              await trx
                .insertInto("check_run_users")
                .columns(["run_id", "user_id", "email"])
                .expression((eb) =>
                  eb
                    .selectFrom("org_users")
                    .select([sql<string>`cast(${child.id} as text)`.as("run_id"), "id", "email"])
                    .where("org_id", "=", input.orgId)
                    .where("id", "in", chunk),
                )
                .execute();
            }
          }
        });
      } catch (error) {
        if (isUniqueViolation(error)) return { kind: "active_run_exists", activeRunId: await activeRunId(input.orgId) };
        throw error;
      }
      const run = await getRun(input.orgId, input.id);
      if (run === null) throw new Error("the group run just created is missing");
      return { kind: "created", run };
    },

    /** The run; a group's parent with its children (`members`) and their summed progress while it runs. */
    get: getRun,

    childrenOf,

    /** The ids of the runs whose results are this run's: a group's children, or the run itself. */
    async memberRunIds(runId: string): Promise<string[]> {
      return [...(await resultRuns(runId)).keys()];
    },

    /** Top-level runs (parents and plain runs), newest first. */
    async recent(orgId: string, limit: number): Promise<CheckRunRecord[]> {
      const rows = await db
        .selectFrom("check_runs")
        .selectAll()
        .where("org_id", "=", orgId)
        .where("parent_run_id", "is", null)
        .orderBy("started_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      return Promise.all(rows.map(async (row) => withMembers(toRun(row), await childrenOf(row.id))));
    },

    /** Runs a crash left active: the server resumes them at start-up. */
    async interrupted(): Promise<CheckRunRecord[]> {
      const rows = await db.selectFrom("check_runs").selectAll().where("state", "in", ACTIVE_STATES).execute();
      return rows.map(toRun);
    },

    activeRunId,

    async markRunning(runId: string, preflight: unknown): Promise<void> {
      await db
        .updateTable("check_runs")
        .set({ state: "running", preflight_json: JSON.stringify(preflight) })
        .where("id", "=", runId)
        .execute();
    },

    /** The run's state, whatever its organization (null: no such run). */
    async stateOf(runId: string): Promise<CheckRunState | null> {
      const row = await db.selectFrom("check_runs").select("state").where("id", "=", runId).executeTakeFirst();
      return row === undefined ? null : (row.state as CheckRunState);
    },

    /** Notes that the run's users are queued as chunk jobs: the queue carries it from now on. */
    async markQueued(runId: string): Promise<void> {
      await db.updateTable("check_runs").set({ queued_at: now().toISOString() }).where("id", "=", runId).execute();
    },

    /**
     * The run's users cut into chunks in user-id order, as bounds (no user list is held in memory: one id per chunk
     * is read): the i-th chunk holds `sizes[i]` users (the last size repeats), the last chunk what is left.
     */
    async chunksOf(runId: string, sizes: readonly number[]): Promise<RunChunk[]> {
      const out: RunChunk[] = [];
      let after: string | null = null;
      for (;;) {
        const size = Math.max(1, sizes[Math.min(out.length, sizes.length - 1)] ?? 1);
        let query = db
          .selectFrom("check_run_users")
          .select("user_id")
          .where("run_id", "=", runId)
          .orderBy("user_id")
          .offset(size - 1)
          .limit(1);
        if (after !== null) query = query.where("user_id", ">", after);
        const row = await query.executeTakeFirst();
        if (row === undefined) {
          // The rest, if any, is the last chunk.
          let rest = db
            .selectFrom("check_run_users")
            .select("user_id")
            .where("run_id", "=", runId)
            .orderBy("user_id", "desc")
            .limit(1);
          if (after !== null) rest = rest.where("user_id", ">", after);
          const last = await rest.executeTakeFirst();
          if (last !== undefined) out.push({ after, last: last.user_id });
          return out;
        }
        out.push({ after, last: row.user_id });
        after = row.user_id;
      }
    },

    /** Users of the run still without a result. */
    async pendingCount(runId: string): Promise<number> {
      const row = await db
        .selectFrom("check_run_users as u")
        .leftJoin("check_results as r", (join) =>
          join.onRef("r.run_id", "=", "u.run_id").onRef("r.user_id", "=", "u.user_id"),
        )
        .select((eb) => eb.fn.countAll<string | number>().as("count"))
        .where("u.run_id", "=", runId)
        .where("r.user_id", "is", null)
        .executeTakeFirstOrThrow();
      return Number(row.count);
    },

    /**
     * Ends the run; the draft's sealed secrets are dropped once nothing can resume it. True when this call ended
     * it, false when it had already ended (another process, or a cancel, got there first).
     */
    async finish(
      runId: string,
      end: {
        state: Exclude<CheckRunState, "preflight" | "running">;
        progress?: RunProgress;
        preflight?: unknown;
        stopCategory?: CategoryId | null;
        stopDetail?: string | null;
      },
    ): Promise<boolean> {
      const ended = await db
        .updateTable("check_runs")
        .set({
          state: end.state,
          finished_at: now().toISOString(),
          draft_enc: null,
          ...(end.progress ? { done: end.progress.done, counts_json: JSON.stringify(end.progress.counts) } : {}),
          ...(end.preflight === undefined ? {} : { preflight_json: JSON.stringify(end.preflight) }),
          ...(end.stopCategory === undefined ? {} : { stop_category: end.stopCategory }),
          ...(end.stopDetail === undefined ? {} : { stop_detail: end.stopDetail }),
        })
        .where("id", "=", runId)
        .where("state", "in", ACTIVE_STATES)
        .executeTakeFirst();
      return Number(ended.numUpdatedRows) > 0;
    },

    /** Progress recomputed from the stored results: what a resumed run continues from. */
    async progressOf(runId: string): Promise<RunProgress> {
      const rows = await db
        .selectFrom("check_results")
        .select(["category", (eb) => eb.fn.countAll<string | number>().as("count")])
        .where("run_id", "=", runId)
        .groupBy("category")
        .execute();
      const counts: Partial<Record<CategoryId, number>> = {};
      let done = 0;
      for (const row of rows) {
        if (!isCategoryId(row.category)) continue;
        counts[row.category] = Number(row.count);
        done += Number(row.count);
      }
      return { done, counts };
    },

    /** The runner's view of one run's rows. */
    storeFor(orgId: string): CheckRunStore {
      return {
        async pendingTargets(runId, afterUserId, limit, lastUserId = null): Promise<CheckTargetRow[]> {
          let query = db
            .selectFrom("check_run_users as u")
            .leftJoin("check_results as r", (join) =>
              join.onRef("r.run_id", "=", "u.run_id").onRef("r.user_id", "=", "u.user_id"),
            )
            .select(["u.user_id as userId", "u.email as email"])
            .where("u.run_id", "=", runId)
            .where("r.user_id", "is", null);
          if (afterUserId !== null) query = query.where("u.user_id", ">", afterUserId);
          if (lastUserId !== null) query = query.where("u.user_id", "<=", lastUserId);
          return query.orderBy("u.user_id").limit(limit).execute();
        },

        async recordResults(runId, results): Promise<RunProgress> {
          return db.transaction().execute(async (trx) => {
            const inserted = await insertRows(
              trx as unknown as Transaction<never>,
              "check_results",
              RESULT_COLUMNS,
              results.map((result) => [
                runId,
                result.userId,
                result.email,
                result.category,
                CATEGORIES[result.category].severity,
                result.detail,
                result.primarySmtpAddress,
                result.httpStatus,
                result.attempts,
                Math.round(result.durationMs),
                JSON.stringify(result.steps),
                result.capabilities == null ? null : JSON.stringify(result.capabilities),
                result.profileId ?? null,
                result.suggestedProfileId ?? null,
                result.placement == null ? null : JSON.stringify(result.placement),
                result.checkedAt.toISOString(),
              ]),
              "(run_id, user_id) do nothing",
              "user_id",
            );
            // Only the rows this write added count: a replayed batch, or a user another process stored, adds none.
            const added = new Set(inserted.map((row) => String(row.user_id)));
            const fresh = results.filter((result) => added.has(result.userId));
            // A user removed from the organization mid-run keeps the run's result but gets no status row.
            const existing = await trx
              .selectFrom("org_users")
              .select("id")
              .where("org_id", "=", orgId)
              .where(
                "id",
                "in",
                results.map((result) => result.userId),
              )
              .execute();
            const stillMembers = new Set(existing.map((row) => row.id));
            await insertRows(
              trx as unknown as Transaction<never>,
              "user_mailbox_status",
              STATUS_COLUMNS,
              fresh
                .filter((result) => stillMembers.has(result.userId))
                .map((result) => [
                  orgId,
                  result.userId,
                  runId,
                  result.category,
                  CATEGORIES[result.category].severity,
                  result.detail,
                  result.checkedAt.toISOString(),
                ]),
              STATUS_UPSERT,
            );
            // The increment locks the run's row: writers of other processes wait here, so none loses another's counts.
            const run = await trx
              .updateTable("check_runs")
              .set((eb) => ({ done: eb("done", "+", fresh.length) }))
              .where("id", "=", runId)
              .returning(["done", "counts_json"])
              .executeTakeFirstOrThrow();
            const counts = JSON.parse(run.counts_json) as RunProgress["counts"];
            for (const result of fresh) counts[result.category] = (counts[result.category] ?? 0) + 1;
            if (fresh.length > 0) {
              await trx
                .updateTable("check_runs")
                .set({ counts_json: JSON.stringify(counts) })
                .where("id", "=", runId)
                .execute();
            }
            return { done: Number(run.done), counts };
          });
        },
      };
    },

    results,

    /** Every result of a run, page by page (for the CSV export). */
    async *allResults(
      runId: string,
      filter: ResultsFilter,
      pageSize = 1_000,
    ): AsyncGenerator<Array<CheckResultRecord & { profileId: string }>> {
      let cursor: string | undefined;
      for (;;) {
        const page = await results(runId, filter, cursor, pageSize);
        yield page.items;
        if (page.nextCursor === null) return;
        cursor = page.nextCursor;
      }
    },
  };
}

class NoUsersInScope extends Error {}

export type CheckRunsRepository = ReturnType<typeof checkRunsRepository>;
