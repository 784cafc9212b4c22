/**
 * The two EWS access types (Basic and delegated OAuth impersonation) share one driver; they differ only in how the
 * Authorization header is obtained. Checks follow Microsoft's "Service Account Access" connectivity test:
 * GetFolder, then CreateItem and DeleteItem of a test message saved (never sent) to Drafts.
 */
import { blocksPreflight } from "../../../contract/categories.js";
import { SIGN_IN_METHOD_LABELS } from "../auth/serviceAccountSignIn.js";
import type { EwsServerVersion } from "../config.js";
import type { ExchangeFetch } from "../transport.js";
import type {
  CheckDepth,
  CheckOutcome,
  CheckTarget,
  DirectoryListing,
  MailboxDriver,
  MailboxPlacement,
  PreflightReport,
  RoomsOutcome,
  StepOutcome,
} from "../driver.js";
import { isExchangeOnlineVersion } from "../ews/classify.js";
import type { EwsCredentials } from "../ews/client.js";
import { createEwsClient } from "../ews/client.js";
import { createdItemIdOf, resolutionsOf, roomListsOf, roomsOf } from "../ews/parse.js";
import type { EwsRequestContext } from "../ews/requests.js";
import { autodiscoverUrlBeside, lookUpRemoteMailbox } from "../ews/autodiscover.js";
import {
  buildCreateItem,
  buildDeleteItem,
  buildGetFolder,
  buildGetRoomLists,
  buildGetRooms,
  buildResolveNames,
} from "../ews/requests.js";
import { isExchangeOnlineUrl, retiredAccessTypeDetail } from "../../../contract/exchangeOnline.js";
import type { Classified, OutboundRequestInit } from "../transport.js";
import { sendHttp } from "../transport.js";
import { classifiedFields, stepOf } from "./steps.js";

export interface EwsDriverOptions {
  ewsUrl: string;
  serverVersion: EwsServerVersion;
  /** The service account's address, for X-AnchorMailbox on its own calls (null when unknown). */
  serviceAccount: string | null;
  credentials: EwsCredentials;
  /** The app whose tokens call EWS (OAuth), named when Exchange Online's EwsAllowedAppIDs may be what blocks it. */
  appId?: string | null;
  fetch: ExchangeFetch;
  timeoutMs: number;
  /** Tests: tighter bounds than EWS_PREFLIGHT_LIMITS. */
  limits?: Partial<EwsPreflightLimits>;
  /**
   * Autodiscover POX asked where a mailbox the server does not hold went (hybrid: a redirect to the cloud routing
   * address); defaults to /autodiscover/autodiscover.xml on the EWS URL's host, null asks nothing.
   */
  autodiscoverUrl?: string | null;
}

export const TEST_MESSAGE = {
  subject: "Sync Sidebar connectivity test (deleted automatically)",
  body: "Sync Sidebar saved this draft to verify mailbox access and deletes it at once. It was never sent.",
};

/** Rooms can only be read when the service account has a mailbox and a license (DOMAIN.md, seeds step 6). */
const NO_ROOMS = "rooms and resources will not be read";

function outcomeOf(classified: Classified, steps: StepOutcome[]): CheckOutcome {
  return { ...classifiedFields(classified), steps };
}

/**
 * Bounds on what a server (hostile, or just huge) can make the preflight do: room lists read (the rest summarized),
 * rooms kept, time spent on rooms, the whole preflight's duration, and the steps it stores in the run.
 */
export const EWS_PREFLIGHT_LIMITS = {
  roomLists: 50,
  rooms: 1_000,
  roomsMs: 15_000,
  preflightMs: 45_000,
  steps: 60,
};

export type EwsPreflightLimits = { [K in keyof typeof EWS_PREFLIGHT_LIMITS]: number };

export function createEwsDriver(options: EwsDriverOptions): MailboxDriver {
  const ews = createEwsClient({
    fetch: options.fetch,
    url: options.ewsUrl,
    credentials: options.credentials,
    timeoutMs: options.timeoutMs,
  });
  const appId = options.appId ?? null;
  // An EWS block names the app ID to allow-list, which Exchange's answer does not carry.
  const client: typeof ews = {
    ...ews,
    call: async (...args) => {
      const outcome = await ews.call(...args);
      if (outcome.ok || outcome.classified.category !== "ews_blocked" || appId === null) return outcome;
      const detail = `${outcome.classified.detail ?? "HTTP 403"}; the app ID to allow-list is ${appId}`;
      return { ...outcome, classified: { ...outcome.classified, detail } };
    },
  };
  const asServiceAccount: EwsRequestContext = {
    serverVersion: options.serverVersion,
    impersonate: null,
    anchorMailbox: options.serviceAccount,
  };
  const impersonating = (address: string): EwsRequestContext => ({
    serverVersion: options.serverVersion,
    impersonate: address,
  });
  const onlineByUrl = isExchangeOnlineUrl(options.ewsUrl);
  const retired = (evidence: string): Classified => ({
    category: "retired_access_type",
    detail: retiredAccessTypeDetail(evidence),
  });

  const limits: EwsPreflightLimits = { ...EWS_PREFLIGHT_LIMITS, ...options.limits };
  const autodiscoverUrl =
    options.autodiscoverUrl === undefined ? autodiscoverUrlBeside(options.ewsUrl) : options.autodiscoverUrl;

  /**
   * ErrorNonExistentMailbox on-premises is also what a mailbox moved to Exchange Online answers; Autodiscover's
   * redirect to the cloud routing address tells the two apart. Anything else keeps the server's answer.
   */
  async function movedToCloud(
    address: string,
    classified: Classified,
    steps: StepOutcome[],
    signal: AbortSignal,
  ): Promise<{ classified: Classified; placement?: MailboxPlacement }> {
    if (autodiscoverUrl === null || !classified.detail?.startsWith("ErrorNonExistentMailbox")) return { classified };
    const startedAt = performance.now();
    const send = (url: string, init: OutboundRequestInit, outer: AbortSignal) => client.sendSignedIn(url, init, outer);
    const lookup = await lookUpRemoteMailbox(send, autodiscoverUrl, address, signal);
    if (!lookup.found) {
      steps.push(
        stepOf("Autodiscover (where the mailbox lives)", { category: "no_mailbox", detail: lookup.detail }, startedAt),
      );
      return { classified };
    }
    const evidence = `On-premises Autodiscover redirects ${address} to its cloud routing address ${lookup.routingAddress}`;
    const moved: Classified = { category: "mailbox_in_cloud", detail: `${classified.detail}; ${evidence}` };
    if (classified.httpStatus !== undefined) moved.httpStatus = classified.httpStatus;
    steps.push(
      stepOf("Autodiscover (where the mailbox lives)", { category: "mailbox_in_cloud", detail: evidence }, startedAt),
    );
    return { classified: moved, placement: { where: "exchange_online", evidence } };
  }

  /** The first `limits.roomLists` room lists, within `limits.roomsMs`; the rest summarized in one step. */
  async function readRooms(outer: AbortSignal, steps: StepOutcome[] | null): Promise<RoomsOutcome> {
    const budget = AbortSignal.timeout(limits.roomsMs);
    const signal = AbortSignal.any([outer, budget]);
    let startedAt = performance.now();
    const lists = await client.call(buildGetRoomLists(asServiceAccount), signal);
    steps?.push(stepOf("GetRoomLists", lists.classified, startedAt));
    if (!lists.ok) return { ok: false, rooms: [], ...classifiedFields(lists.classified) };
    const rooms: RoomsOutcome["rooms"] = [];
    const all = lists.messages.flatMap(roomListsOf);
    let read = 0;
    for (const list of all.slice(0, limits.roomLists)) {
      if (budget.aborted || rooms.length >= limits.rooms) break;
      startedAt = performance.now();
      const listRooms = await client.call(buildGetRooms(asServiceAccount, list.email), signal);
      if (budget.aborted && !outer.aborted) break;
      steps?.push(stepOf(`GetRooms ${list.email}`, listRooms.classified, startedAt));
      if (!listRooms.ok) return { ok: false, rooms, ...classifiedFields(listRooms.classified) };
      read += 1;
      for (const room of listRooms.messages.flatMap(roomsOf).slice(0, limits.rooms - rooms.length)) {
        rooms.push({ name: room.name ?? room.email, email: room.email, roomList: list.name ?? list.email });
      }
    }
    const left = all.length - read;
    if (left > 0) {
      const why = budget.aborted
        ? `the ${Math.round(limits.roomsMs / 1000)} s spent on rooms ran out`
        : rooms.length >= limits.rooms
          ? `${limits.rooms.toLocaleString("en-US")} rooms were read`
          : `at most ${limits.roomLists} are read`;
      steps?.push(
        stepOf(
          `and ${left.toLocaleString("en-US")} more room list${left === 1 ? "" : "s"}`,
          { category: "ok", detail: `not read: ${why}` },
          performance.now(),
        ),
      );
    }
    return { ok: true, category: "ok", rooms };
  }

  /** At most limits.steps steps: the first ones, and one that counts the rest. */
  function capped(report: PreflightReport): PreflightReport {
    if (report.steps.length <= limits.steps) return report;
    const kept = report.steps.slice(0, limits.steps - 1);
    const dropped = report.steps.length - kept.length;
    kept.push(stepOf(`and ${dropped} more steps`, { category: "ok", detail: "not stored" }, performance.now()));
    return { ...report, steps: kept };
  }

  const driver: MailboxDriver = {
    async preflight(signal): Promise<PreflightReport> {
      const steps: StepOutcome[] = [];
      const warnings: PreflightReport["warnings"] = [];
      const stop = (): PreflightReport => ({ canProceed: false, steps, warnings });
      if (onlineByUrl) {
        steps.push(
          stepOf("Exchange Online", retired(`The EWS URL ${options.ewsUrl} is Exchange Online`), performance.now()),
        );
        return stop();
      }

      // The URL answers over valid TLS: an unauthenticated GET (any HTTP status will do) spends no logon attempt.
      let startedAt = performance.now();
      const probe = await sendHttp(
        options.fetch,
        options.ewsUrl,
        { method: "GET" },
        { timeoutMs: options.timeoutMs, signal },
      );
      const signIn = options.credentials.kind === "serviceAccount" ? options.credentials.signIn : null;
      if (probe.ok) signIn?.learn(probe.answer);
      const offered = signIn?.offered();
      const offers =
        offered === undefined || offered === null ? "" : `; the server offers ${offered.join(", ") || "no sign-in"}`;
      steps.push(
        stepOf(
          "Connect (TLS)",
          probe.ok ? { category: "ok", detail: `HTTP ${probe.answer.status} over valid TLS${offers}` } : probe.failure,
          startedAt,
        ),
      );
      if (!probe.ok) return stop();
      const method = (): Classified => {
        const used = signIn?.used();
        return used === undefined || used === null
          ? { category: "ok" }
          : { category: "ok", detail: `signed in with ${SIGN_IN_METHOD_LABELS[used]}` };
      };

      // GetFolder without impersonation: authenticates, and proves the service account has its own mailbox.
      startedAt = performance.now();
      const own = await client.call(buildGetFolder(asServiceAccount, "msgfolderroot"), signal);
      if (own.ok && isExchangeOnlineVersion(own.serverVersion)) {
        steps.push(stepOf("Authenticate", method(), startedAt));
        steps.push(stepOf("Exchange Online", retired("The server reports Exchange Online (version 15.20)"), startedAt));
        return stop();
      }
      if (!own.ok && blocksPreflight(own.classified.category)) {
        steps.push(stepOf("Authenticate", own.classified, startedAt));
        return stop();
      }
      steps.push(stepOf("Authenticate", method(), startedAt));
      steps.push(stepOf("GetFolder (service account's own mailbox)", own.classified, startedAt));
      if (!own.ok) {
        warnings.push({
          category: own.classified.category,
          message: `The service account has no usable mailbox or license of its own (${own.classified.detail ?? own.classified.category}): ${NO_ROOMS}.`,
        });
      }

      const rooms = await readRooms(signal, steps);
      if (!rooms.ok) {
        warnings.push({
          category: rooms.category,
          message: `Room lists could not be read (${rooms.detail ?? rooms.category}): ${NO_ROOMS}.`,
        });
      }
      return { canProceed: true, steps, warnings };
    },

    async checkUser(target: CheckTarget, depth: CheckDepth, signal: AbortSignal): Promise<CheckOutcome> {
      const steps: StepOutcome[] = [];
      if (onlineByUrl) {
        const classified = retired(`The EWS URL ${options.ewsUrl} is Exchange Online`);
        steps.push(stepOf("Exchange Online", classified, performance.now()));
        return outcomeOf(classified, steps);
      }
      let address = target.email;
      let startedAt = performance.now();
      let read = await client.call(buildGetFolder(impersonating(address), "inbox"), signal);
      steps.push(stepOf("GetFolder", read.classified, startedAt));
      let alias: Classified | null = null;
      if (!read.ok && read.classified.category === "non_primary_address" && read.classified.primarySmtpAddress) {
        // An alias: confirm access works with the primary address Exchange named, and report both.
        alias = read.classified;
        address = read.classified.primarySmtpAddress;
        startedAt = performance.now();
        read = await client.call(buildGetFolder(impersonating(address), "inbox"), signal);
        steps.push(stepOf(`GetFolder as ${address}`, read.classified, startedAt));
      }
      const finish = (classified: Classified): CheckOutcome => {
        const outcome = outcomeOf(classified, steps);
        if (alias?.primarySmtpAddress !== undefined) outcome.primarySmtpAddress = alias.primarySmtpAddress;
        return outcome;
      };
      if (!read.ok) {
        const placed = await movedToCloud(address, read.classified, steps, signal);
        const outcome = finish(placed.classified);
        if (placed.placement !== undefined) outcome.placement = placed.placement;
        return outcome;
      }
      const success = alias ?? read.classified;
      if (depth === "read") return finish(success);

      startedAt = performance.now();
      const created = await client.call(buildCreateItem(impersonating(address), TEST_MESSAGE), signal);
      const itemId = created.ok ? created.messages.map(createdItemIdOf).find((id) => id !== null) : undefined;
      if (created.ok && itemId === undefined) {
        const missing: Classified = { category: "bad_response", detail: "CreateItem answered without an ItemId" };
        steps.push(stepOf("CreateItem", missing, startedAt));
        return finish(missing);
      }
      steps.push(stepOf("CreateItem", created.classified, startedAt));
      if (!created.ok || itemId === undefined) return finish(created.classified);

      startedAt = performance.now();
      const deleted = await client.call(buildDeleteItem(impersonating(address), itemId), signal);
      steps.push(stepOf("DeleteItem", deleted.classified, startedAt));
      if (!deleted.ok) {
        return finish({
          ...deleted.classified,
          detail: `${deleted.classified.detail ?? deleted.classified.category} (the test message is left in Drafts)`,
        });
      }
      return finish(success);
    },

    listRooms(signal: AbortSignal): Promise<RoomsOutcome> {
      return readRooms(signal, null);
    },

    async listDirectory(signal: AbortSignal, limit: number): Promise<DirectoryListing> {
      if (onlineByUrl) return { ok: false, ...retired(`The EWS URL ${options.ewsUrl} is Exchange Online`) };
      const answer = await client.call(buildResolveNames(asServiceAccount, "SMTP:"), signal);
      if (!answer.ok) {
        // No match at all is an empty directory, not a failure.
        if (answer.classified.detail?.startsWith("ErrorNameResolutionNoResults")) {
          return { ok: true, mailboxes: [], truncated: false };
        }
        return { ok: false, ...classifiedFields(answer.classified) };
      }
      const read = answer.messages.map(resolutionsOf);
      const mailboxes = read
        .flatMap((set) => set.resolutions)
        .map((resolution) => ({
          address: resolution.email,
          displayName: resolution.name,
          otherAddresses: resolution.addresses
            .filter((entry) => !/^[a-z0-9]+:/i.test(entry) || /^smtp:/i.test(entry))
            .map((entry) => entry.replace(/^smtp:/i, ""))
            .filter((entry) => entry.toLowerCase() !== resolution.email.toLowerCase()),
        }));
      return {
        ok: true,
        mailboxes: mailboxes.slice(0, limit),
        truncated: mailboxes.length > limit || read.some((set) => !set.complete),
      };
    },
  };
  return {
    ...driver,
    async preflight(signal, depth): Promise<PreflightReport> {
      // The whole preflight within limits.preflightMs, whatever each request's own timeout.
      const bounded = AbortSignal.any([signal, AbortSignal.timeout(limits.preflightMs)]);
      return capped(await driver.preflight(bounded, depth));
    },
  };
}
