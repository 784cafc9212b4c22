/**
 * One user's check through Graph app-only: the directory says whether the address is the mailbox's primary SMTP
 * address (an alias is only one of its proxyAddresses), then one cheap request each proves mail and calendar, and at
 * full depth a draft is created and deleted. Graph throttles per app per mailbox: a mailbox's 429
 * (ApplicationThrottled) is waited out here, for this mailbox only; a directory 429 is left to the runner, which
 * pauses the run.
 */
import type { CategoryId } from "../../../contract/categories.js";
import type { CheckCapabilitiesDto } from "../../../contract/checks.js";
import type { CheckDepth, CheckOutcome, MailboxPlacement, StepOutcome } from "../driver.js";
import type { GraphOutcome } from "../graph/classify.js";
import type { GraphClient } from "../graph/client.js";
import { userSegment } from "../graph/client.js";
import type { Classified } from "../transport.js";
import { classifiedFields, stepOf } from "./steps.js";

/** Requests per probe while the mailbox answers 429, the first included. */
export const MAILBOX_ATTEMPTS = 3;
/** Longest wait honoured per mailbox 429; the runner's per-request timeout bounds the whole check. */
const MAX_MAILBOX_WAIT_MS = 10_000;

export const TEST_DRAFT = {
  subject: "Sync Sidebar connectivity test (deleted automatically)",
  body: {
    contentType: "Text",
    content: "Sync Sidebar saved this draft to verify mailbox access and deletes it at once.",
  },
};

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Runs a mailbox request again after each 429 of that mailbox, honouring its (fractional) Retry-After. */
export async function withMailboxRetry(run: () => Promise<GraphOutcome>, signal: AbortSignal): Promise<GraphOutcome> {
  for (let attempt = 1; ; attempt += 1) {
    const outcome = await run();
    if (outcome.ok || outcome.classified.category !== "mailbox_throttled") return outcome;
    if (attempt >= MAILBOX_ATTEMPTS || signal.aborted) {
      const detail = `${outcome.classified.detail ?? "HTTP 429"} (still throttled after ${attempt} attempts)`;
      return { ok: false, classified: { ...outcome.classified, detail } };
    }
    await pause(Math.min(outcome.classified.backOffMs ?? 1_000, MAX_MAILBOX_WAIT_MS), signal);
  }
}

interface DirectoryUser {
  mail?: unknown;
  /** True for a user synced from on-premises Active Directory; null or absent for a cloud-only user. */
  onPremisesSyncEnabled?: unknown;
}

/**
 * Graph answers 404 MailboxNotEnabledForRESTAPI for a mailbox it does not hold ("inactive, soft-deleted, or hosted
 * on-premises"). For a user synced from on-premises, the on-premises server is where it most likely lives: the
 * engine places an Automatic user there; for a cloud-only user it stays no_mailbox.
 */
function onPremises(
  email: string,
  classified: Classified,
  synced: boolean,
): { classified: Classified; placement?: MailboxPlacement } {
  if (
    !synced ||
    classified.category !== "no_mailbox" ||
    !classified.detail?.startsWith("MailboxNotEnabledForRESTAPI")
  ) {
    return { classified };
  }
  const evidence = `Exchange Online holds no mailbox for ${email} (MailboxNotEnabledForRESTAPI), a user synced from on-premises Active Directory (onPremisesSyncEnabled)`;
  return {
    classified: { ...classified, category: "mailbox_on_premises", detail: `${classified.detail}; ${evidence}` },
    placement: { where: "on_premises", evidence },
  };
}

/** Shared by a driver's checks: once the directory refuses (no User.Read.All), aliases are not looked up again. */
export interface DirectoryState {
  readable: boolean;
}

export async function checkGraphMailbox(
  client: GraphClient,
  directory: DirectoryState,
  email: string,
  depth: CheckDepth,
  signal: AbortSignal,
): Promise<CheckOutcome> {
  const steps: StepOutcome[] = [];
  const resolved = await resolveAddress(client, directory, email, steps, signal);
  if ("failed" in resolved) return { ...classifiedFields(resolved.failed), steps };
  const { address, primary, synced } = resolved;
  const user = userSegment(address);
  const finish = (classified: Classified, capabilities: CheckCapabilitiesDto): CheckOutcome => {
    const outcome: CheckOutcome = { ...classifiedFields(classified), capabilities, steps };
    if (primary !== null) outcome.primarySmtpAddress = primary;
    return outcome;
  };

  let startedAt = performance.now();
  const mail = await withMailboxRetry(
    () => client.get(`/v1.0/users/${user}/mailFolders/inbox?$select=id`, signal),
    signal,
  );
  steps.push(stepOf("Graph mailFolders/inbox (mail)", mail.classified, startedAt));
  if (!mail.ok) {
    const placed = onPremises(email, mail.classified, synced);
    const outcome = finish(placed.classified, { mail: placed.classified.category, calendar: null, drafts: null });
    if (placed.placement !== undefined) outcome.placement = placed.placement;
    return outcome;
  }

  startedAt = performance.now();
  const calendar = await withMailboxRetry(() => client.get(`/v1.0/users/${user}/calendar?$select=id`, signal), signal);
  const calendarDenied = !calendar.ok && calendar.classified.httpStatus === 403;
  const calendarClassified: Classified = calendarDenied
    ? { ...calendar.classified, category: "calendar_denied" }
    : calendar.classified;
  steps.push(stepOf("Graph calendar", calendarClassified, startedAt));
  const capabilities: CheckCapabilitiesDto = { mail: "ok", calendar: calendarClassified.category, drafts: null };
  // A failing calendar that is not a denial (moving, throttled, …) decides the outcome, so the runner retries it.
  if (!calendar.ok && !calendarDenied) return finish(calendarClassified, capabilities);

  let drafts: Classified = { category: "ok" };
  if (depth === "full") {
    drafts = await draftRoundTrip(client, user, steps, signal);
    capabilities.drafts = drafts.category;
  }
  const alias: Classified | null =
    primary === null
      ? null
      : { category: "non_primary_address", detail: `the mailbox's primary SMTP address is ${primary}` };
  const decided: Array<Classified | null> = [
    isDraftFailure(drafts.category) ? drafts : null,
    calendarDenied ? calendarClassified : null,
    drafts.category === "drafts_not_permitted" ? drafts : null,
    alias,
  ];
  return finish(decided.find((entry) => entry !== null) ?? mail.classified, capabilities);
}

function isDraftFailure(category: CategoryId): boolean {
  return category !== "ok" && category !== "drafts_not_permitted";
}

/** The address to check and, for an alias or a UPN that is not the primary SMTP address, the primary one. */
async function resolveAddress(
  client: GraphClient,
  directory: DirectoryState,
  email: string,
  steps: StepOutcome[],
  signal: AbortSignal,
): Promise<{ address: string; primary: string | null; synced: boolean } | { failed: Classified }> {
  if (!directory.readable) return { address: email, primary: null, synced: false };
  const startedAt = performance.now();
  const select = "$select=id,mail,userPrincipalName,onPremisesSyncEnabled";
  const user = await client.get(`/v1.0/users/${userSegment(email)}?${select}`, signal);
  if (user.ok) {
    const found = user.json as DirectoryUser;
    const primary =
      typeof found.mail === "string" && found.mail.toLowerCase() !== email.toLowerCase() ? found.mail : null;
    steps.push(stepOf("Graph users (directory)", primaryStep(primary, user.classified), startedAt));
    return { address: primary ?? email, primary, synced: found.onPremisesSyncEnabled === true };
  }
  if (user.classified.httpStatus === 403) {
    // Without User.Read.All aliases cannot be told apart; preflight names the missing permission.
    directory.readable = false;
    return { address: email, primary: null, synced: false };
  }
  if (user.classified.category !== "user_not_found") {
    steps.push(stepOf("Graph users (directory)", user.classified, startedAt));
    return { failed: user.classified };
  }
  // Graph finds users by id or UPN only; an alias is one of a user's proxyAddresses.
  const filter = `proxyAddresses/any(a:a eq 'smtp:${email.replace(/'/g, "''")}')`;
  const byProxy = await client.get(`/v1.0/users?$filter=${encodeURIComponent(filter)}&${select}`, signal);
  const ownerUser = byProxy.ok ? (byProxy.json as { value?: DirectoryUser[] }).value?.[0] : undefined;
  const owner = ownerUser?.mail;
  if (typeof owner === "string") {
    steps.push(stepOf("Graph users (by proxy address)", primaryStep(owner, byProxy.classified), startedAt));
    return { address: owner, primary: owner, synced: ownerUser?.onPremisesSyncEnabled === true };
  }
  steps.push(stepOf("Graph users (directory)", user.classified, startedAt));
  return { failed: user.classified };
}

function primaryStep(primary: string | null, classified: Classified): Classified {
  return primary === null
    ? classified
    : { category: "non_primary_address", detail: `alias of ${primary}`, primarySmtpAddress: primary };
}

/** Full depth: a draft saved (never sent) and deleted at once; a refusal to create is Mail.ReadWrite missing. */
async function draftRoundTrip(
  client: GraphClient,
  user: string,
  steps: StepOutcome[],
  signal: AbortSignal,
): Promise<Classified> {
  let startedAt = performance.now();
  const created = await withMailboxRetry(
    () => client.send("POST", `/v1.0/users/${user}/messages`, signal, TEST_DRAFT),
    signal,
  );
  if (!created.ok && created.classified.httpStatus === 403) {
    const refused: Classified = { ...created.classified, category: "drafts_not_permitted" };
    steps.push(stepOf("Graph create draft", refused, startedAt));
    return refused;
  }
  const id = created.ok ? (created.json as { id?: unknown } | null)?.id : undefined;
  if (created.ok && typeof id !== "string") {
    const missing: Classified = { category: "bad_response", detail: "the created draft has no id" };
    steps.push(stepOf("Graph create draft", missing, startedAt));
    return missing;
  }
  steps.push(stepOf("Graph create draft", created.classified, startedAt));
  if (!created.ok || typeof id !== "string") return created.classified;
  startedAt = performance.now();
  const path = `/v1.0/users/${user}/messages/${encodeURIComponent(id)}`;
  const deleted = await withMailboxRetry(() => client.send("DELETE", path, signal), signal);
  steps.push(stepOf("Graph delete draft", deleted.classified, startedAt));
  if (deleted.ok) return { category: "ok" };
  return {
    ...deleted.classified,
    detail: `${deleted.classified.detail ?? deleted.classified.category} (the test draft is left in Drafts)`,
  };
}
