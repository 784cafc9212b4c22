/** A check run as the API shows it, from its stored record and, while it runs, its estimated time left. */
import { CATEGORIES } from "../../contract/categories.js";
import type { CategoryId, Severity } from "../../contract/categories.js";
import type { CheckPreflightDto, CheckRunDto } from "../../contract/checks.js";
import type { CheckRunRecord } from "./repository.js";

const SEVERITIES: Severity[] = ["ok", "warning", "error", "transient"];

export function runDto(run: CheckRunRecord, etaSeconds: number | null): CheckRunDto {
  const severityCounts = Object.fromEntries(SEVERITIES.map((severity) => [severity, 0])) as Record<Severity, number>;
  for (const [category, count] of Object.entries(run.counts) as Array<[CategoryId, number]>) {
    severityCounts[CATEGORIES[category].severity] += count;
  }
  const finished = run.state !== "preflight" && run.state !== "running";
  return {
    id: run.id,
    orgId: run.orgId,
    state: run.state,
    depth: run.depth,
    scope: run.scope,
    accessType: run.accessType,
    configVersion: run.configVersion,
    // A group's parent names no configuration of its own: it checked a draft only if one of its children did.
    draft:
      run.members === undefined
        ? run.configVersion === null
        : run.members.some((member) => member.configVersion === null),
    concurrency: run.concurrency,
    total: run.total,
    done: run.done,
    counts: run.counts,
    severityCounts,
    preflight: (run.preflight as CheckPreflightDto | null) ?? null,
    stopReason: stopReasonOf(run),
    startedBy: run.startedBy,
    trigger: run.trigger,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    etaSeconds: finished ? null : etaSeconds,
    profiles: profilesOf(run),
  };
}

/** A group's children, or a plain run as its one profile (named by the caller's record when it knows it). */
function profilesOf(run: CheckRunRecord): CheckRunDto["profiles"] {
  const members = run.members ?? [{ ...run, profileName: "" }];
  return members.map((member) => ({
    profileId: member.profileId ?? member.orgId,
    name: member.profileName,
    accessType: member.accessType,
    state: member.state,
    total: member.total,
    done: member.done,
    counts: member.counts,
    stopCategory: member.stopCategory,
    stopDetail: member.stopDetail,
  }));
}

function stopReasonOf(run: CheckRunRecord): CheckRunDto["stopReason"] {
  if (run.stopCategory !== null) {
    const category = CATEGORIES[run.stopCategory];
    return { category: run.stopCategory, message: category.message, remedy: category.remedy, detail: run.stopDetail };
  }
  if (run.state === "failed") {
    return {
      category: null,
      message: run.stopDetail ?? "The run failed.",
      remedy: "Start a new run; if it fails again, look at the server's log.",
      detail: null,
    };
  }
  return null;
}
