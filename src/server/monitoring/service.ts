/**
 * Monitoring as the API and the scheduler see it: the organization's schedule, alert rules and channels; what each
 * finished check run leaves behind (history, users' status changes, alerts opened or resolved); and the delivery of
 * alert messages, in the background so a slow or failing channel never holds up a run.
 */
import { randomUUID } from "node:crypto";
import type { FastifyBaseLogger } from "fastify";
import type { Transporter } from "nodemailer";
import { settlesAfterChange, type CheckRunDto } from "../../contract/checks.js";
import type {
  AlertChannelsDto,
  AlertChannelsInput,
  AlertEvent,
  AlertKind,
  AlertMessageDto,
  AlertRulesDto,
  AlertSettingsDto,
  ChannelTestDto,
  DeliveryAttemptDto,
  FailingUserDto,
  MonitoringScheduleDto,
  MonitoringScheduleInput,
  RunHistoryEntryDto,
  StatusChangeDto,
} from "../../contract/monitoring.js";
import { ALERT_LIMITS, ALERT_NAMES } from "../../contract/monitoring.js";
import type { Page } from "../../contract/api.js";
import { recordAudit } from "../audit/service.js";
import type { CheckService } from "../checks/service.js";
import type { MonitoringConfig } from "../config.js";
import { credentialExpiryOf, emailConfigSummary, type UrlGuard } from "../emailConfig/service.js";
import { badRequest, notFound, tooManyRequests } from "../errors.js";
import type { OutboundFetch } from "../net/outbound.js";
import { organizationOf } from "../orgs/service.js";
import { followMovedMailboxes } from "../profiles/service.js";
import type { Repositories } from "../repositories.js";
import type { Keyring } from "../secrets/keyring.js";
import { reachFacts } from "../reach/service.js";
import { evaluateAlerts, evaluateScopeLeak, mailboxesMovedSummary, type Verdict } from "./alerts.js";
import { recordStatusChanges, toFailingUserDto, toHistoryEntry, toStatusChangeDto } from "./history.js";
import { deliver, toDeliveryDto, type DeliveryDeps, type WebhookTarget } from "./delivery.js";
import type { MonitoringRepository, PageOptions } from "./repository.js";
import {
  DEFAULT_CHANNELS,
  DEFAULT_RULES,
  channelProblems,
  defaultSchedule,
  parseStored,
  planSchedule,
  rulesProblems,
  type StoredChannels,
  type StoredSchedule,
} from "./settings.js";
import { nextSlot } from "./scheduleTimes.js";
import type { MonitoringSettingsTable } from "./tables.js";
import { sealClearWebhookUrl, webhookUrlContext, webhookUrlShown } from "./webhookUrl.js";

export { webhookSignature } from "./delivery.js";

export interface MonitoringDeps {
  repos: Repositories;
  store: MonitoringRepository;
  checks: CheckService;
  keyring: Keyring;
  config: MonitoringConfig;
  guardUrl: UrlGuard;
  fetch: OutboundFetch;
  mailer: Transporter | null;
  now: () => Date;
  log: FastifyBaseLogger;
}

/** The associated data of an organization's webhook secret: table, column and org id. */
export const webhookSecretContext = (orgId: string): string => `monitoring_settings.webhook_secret_enc:${orgId}`;

/** How a delivery row held back by the daily mail cap begins (the log's reason, and how the cap counts them). */
export const MAIL_CAP_REACHED = "Not sent: the organization's daily cap of alert mail is reached";

export class MonitoringService {
  private readonly pending = new Set<Promise<unknown>>();
  /** Aborts webhook back-offs at shutdown, so a receiver that keeps failing cannot hold the server open. */
  private readonly stopping = new AbortController();
  /** Each organization's recent test sends (ms), for the per-organization limit; per process. */
  private readonly testSends = new Map<string, number[]>();

  constructor(private readonly deps: MonitoringDeps) {}

  async schedule(orgId: string): Promise<MonitoringScheduleDto> {
    await this.requireOrg(orgId);
    const row = await this.deps.store.settings(orgId);
    return this.toScheduleDto(orgId, row);
  }

  /** Whether the organization's mailboxes are re-checked on a schedule (the end user's "Your mailbox" card). */
  async scheduledChecks(orgId: string): Promise<boolean> {
    const row = await this.deps.store.settings(orgId);
    return this.storedSchedule(row).mode !== "off";
  }

  /** The stored schedule (its defaults until saved) and whether one was ever saved. */
  storedSchedule(row: MonitoringSettingsTable | null): StoredSchedule {
    return parseStored(row?.schedule_json ?? null, defaultSchedule(this.deps.config.timeZone));
  }

  async saveSchedule(orgId: string, input: MonitoringScheduleInput, actor: string): Promise<MonitoringScheduleDto> {
    await this.requireOrg(orgId);
    const before = this.storedSchedule(await this.deps.store.settings(orgId));
    const plan = planSchedule(before, input);
    if ("errors" in plan) throw badRequest("The schedule breaks a rule.", plan.errors);
    await this.deps.store.saveSettings(orgId, "schedule", JSON.stringify(plan.schedule), actor);
    await recordAudit(this.deps.repos, {
      orgId,
      actor,
      action: "monitoring.schedule.update",
      before,
      after: plan.schedule,
    });
    return this.schedule(orgId);
  }

  /** End of the settling window after the last configuration change, when it is still open. */
  async settlingUntil(orgId: string, schedule: StoredSchedule): Promise<Date | null> {
    const { updatedAt, accessType } = await emailConfigSummary(this.deps.repos, orgId);
    // Only a change that settles (app-only's RBAC for Applications) holds alerts; on-premises EWS applies at once.
    if (updatedAt === null || !settlesAfterChange(accessType)) return null;
    const until = new Date(Date.parse(updatedAt) + schedule.settlingMinutes * 60_000);
    return until > this.deps.now() ? until : null;
  }

  async alertSettings(orgId: string): Promise<AlertSettingsDto> {
    await this.requireOrg(orgId);
    const row = await this.deps.store.settings(orgId);
    const open = await this.deps.store.openAlerts(orgId);
    return {
      rules: this.rulesOf(row),
      open: open.map((alert) => ({
        kind: alert.kind as AlertKind,
        summary: alert.summary,
        openedAt: alert.opened_at,
        runId: alert.run_id,
      })),
      updatedBy: row?.rules_updated_by ?? null,
      updatedAt: row?.rules_updated_at ?? null,
    };
  }

  async saveRules(orgId: string, rules: AlertRulesDto, actor: string): Promise<AlertSettingsDto> {
    await this.requireOrg(orgId);
    const problems = rulesProblems(rules);
    if (problems.length > 0) throw badRequest("An alert rule breaks a rule.", problems);
    const before = this.rulesOf(await this.deps.store.settings(orgId));
    // A rule the input leaves out (sidebarReach, for clients that predate it) keeps its stored value.
    const after = { ...before, ...rules };
    await this.deps.store.saveSettings(orgId, "rules", JSON.stringify(after), actor);
    await recordAudit(this.deps.repos, { orgId, actor, action: "monitoring.alerts.update", before, after });
    return this.alertSettings(orgId);
  }

  async channels(orgId: string): Promise<AlertChannelsDto> {
    await this.requireOrg(orgId);
    return this.toChannelsDto(await this.deps.store.settings(orgId));
  }

  async saveChannels(orgId: string, input: AlertChannelsInput, actor: string): Promise<AlertChannelsDto> {
    await this.requireOrg(orgId);
    const row = await this.deps.store.settings(orgId);
    const problems = channelProblems(input, row?.webhook_secret_enc != null);
    const url = input.webhook.url === "" ? null : input.webhook.url;
    // The shown form sent back unchanged keeps the sealed URL: it is replaced only when typed again.
    const shown = this.toChannelsDto(row).webhook.url;
    const keepUrl = url !== null && url === shown && row?.webhook_url_enc != null;
    if (url !== null && !keepUrl && !problems.some((problem) => problem.field === "webhook.url")) {
      const verdict = await this.deps.guardUrl(url);
      if (!verdict.ok) problems.push({ field: "webhook.url", message: verdict.reason });
    }
    if (problems.length > 0) throw badRequest("An alert channel breaks a rule.", problems);
    const stored: StoredChannels = {
      email: { enabled: input.email.enabled, recipients: input.email.recipients },
      webhook: { enabled: input.webhook.enabled, url: url === null ? null : keepUrl ? shown : webhookUrlShown(url) },
    };
    const secret = input.webhook.secret ?? "";
    const extra = {
      ...(secret === "" ? {} : { webhook_secret_enc: this.deps.keyring.seal(secret, webhookSecretContext(orgId)) }),
      ...(keepUrl
        ? {}
        : { webhook_url_enc: url === null ? null : this.deps.keyring.seal(url, webhookUrlContext(orgId)) }),
    };
    const before = this.toChannelsDto(row);
    await this.deps.store.saveSettings(orgId, "channels", JSON.stringify(stored), actor, extra);
    const after = await this.channels(orgId);
    await recordAudit(this.deps.repos, {
      orgId,
      actor,
      action: "monitoring.channels.update",
      before,
      after: { ...after, webhookSecretChanged: secret !== "", webhookUrlChanged: !keepUrl && url !== null },
    });
    return after;
  }

  /**
   * Queues a test message to every enabled channel and answers at once: its attempts (retries included) land in
   * the delivery log. At most testSends.max per testSends.windowMs per organization, else 429 with Retry-After.
   */
  async sendTest(orgId: string, actor: string): Promise<ChannelTestDto> {
    const org = await this.requireOrg(orgId);
    const { max, windowMs } = this.deps.config.testSends;
    const now = this.deps.now().getTime();
    const recent = (this.testSends.get(orgId) ?? []).filter((at) => at > now - windowMs);
    if (recent.length >= max) {
      const wait = (recent[0]! + windowMs - now) / 1000;
      const minutes = Math.round(windowMs / 60_000);
      throw tooManyRequests(
        `At most ${max} test messages per ${minutes} minutes per organization: try again in ${Math.ceil(wait)} s.`,
        wait,
      );
    }
    this.testSends.set(orgId, [...recent, now]);
    const prepared = await this.prepare(
      orgId,
      org.name,
      "test",
      null,
      "Test message from Sync Sidebar monitoring",
      null,
    );
    const channels: ChannelTestDto["channels"] = [
      ...(prepared.email === null ? [] : (["email"] as const)),
      ...(prepared.webhook === null ? [] : (["webhook"] as const)),
    ];
    if (channels.length === 0) return { messageId: null, channels };
    this.deps.log.info({ orgId, messageId: prepared.message.id, actor, channels }, "test alert queued");
    this.background(this.send(prepared));
    return { messageId: prepared.message.id, channels };
  }

  async history(orgId: string, page: PageOptions): Promise<Page<RunHistoryEntryDto>> {
    await this.requireOrg(orgId);
    const { rows, nextCursor } = await this.deps.store.history(orgId, page);
    return { items: rows.map(toHistoryEntry), nextCursor };
  }

  async statusChanges(orgId: string, userId: string | undefined, page: PageOptions): Promise<Page<StatusChangeDto>> {
    await this.requireOrg(orgId);
    const { rows, nextCursor } = await this.deps.store.statusChanges(orgId, userId, page);
    return { items: rows.map(toStatusChangeDto), nextCursor };
  }

  async failingUsers(orgId: string): Promise<FailingUserDto[]> {
    await this.requireOrg(orgId);
    return (await this.deps.store.failingUsers(orgId)).map(toFailingUserDto);
  }

  async deliveries(orgId: string, page: PageOptions): Promise<Page<DeliveryAttemptDto>> {
    await this.requireOrg(orgId);
    const { rows, nextCursor } = await this.deps.store.deliveries(orgId, page);
    return { items: rows.map(toDeliveryDto), nextCursor };
  }

  /**
   * A check run ended: keep its counts, record each user's status change, then open or resolve alerts (not while
   * a configuration change is settling). Runs of an unsaved draft say nothing about the saved setup: skipped.
   */
  async recordRunEnd(run: CheckRunDto): Promise<void> {
    // Every run's outcome in Activity, drafts too (they are left out of the history only).
    await recordAudit(this.deps.repos, {
      orgId: run.orgId,
      actor: run.startedBy,
      action: "check_run.finish",
      target: run.id,
      after: {
        state: run.state,
        draft: run.draft,
        trigger: run.trigger,
        total: run.total,
        done: run.done,
        counts: run.counts,
        stopCategory: run.stopReason?.category ?? null,
      },
    }).catch((error: unknown) => this.deps.log.error({ err: error, runId: run.id }, "check run end not audited"));
    if (run.draft) return;
    const { store, now } = this.deps;
    await store.recordRun({
      run_id: run.id,
      org_id: run.orgId,
      run_trigger: run.trigger,
      state: run.state,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      total: run.total,
      counts_json: JSON.stringify(run.counts),
      stop_category: run.stopReason?.category ?? null,
      stop_message: run.stopReason?.message ?? null,
    });
    const row = await store.settings(run.orgId);
    const schedule = this.storedSchedule(row);
    await store.prune(run.orgId, new Date(now().getTime() - schedule.historyDays * 86_400_000).toISOString());
    const results = this.deps.checks.runs.allResults(run.id, {});
    const { newlyFailing, failingNow } = await recordStatusChanges(store, run, results, now().toISOString());
    const rules = this.rulesOf(row);
    const org = await organizationOf(this.deps.repos, run.orgId);
    await this.followMoves(run, rules, org?.name ?? "");
    // A group run's verdicts are its children's (each profile's account probed the canaries).
    const memberIds = await this.deps.checks.runs.memberRunIds(run.id);
    const [verdictLists, canaries] = await Promise.all([
      Promise.all(memberIds.map((id) => this.deps.repos.canaries.verdictsOf(run.orgId, id))),
      this.deps.repos.canaries.count(run.orgId),
    ]);
    const canaryVerdicts = verdictLists.flat();
    // A readable canary is a broken boundary, not a change still settling: it is never held.
    await this.applyVerdicts(run, org?.name ?? "", { scope_leak: evaluateScopeLeak(rules, canaryVerdicts, canaries) });
    if ((await this.settlingUntil(run.orgId, schedule)) !== null) return;
    const reachDays = rules.sidebarReach?.days ?? ALERT_LIMITS.sidebarReachDays.default;
    const [config, credentialExpiry, reach] = await Promise.all([
      emailConfigSummary(this.deps.repos, run.orgId),
      credentialExpiryOf(this.deps.repos, run.orgId),
      reachFacts(this.deps.repos, run.orgId, reachDays, now()),
    ]);
    const verdicts = evaluateAlerts(
      rules,
      { state: run.state, done: run.done, counts: run.counts, newlyFailing, failingNow },
      {
        serviceAccountState: config.accessType === "ews_oauth_impersonation" ? config.serviceAccount.state : null,
        credentialExpiry,
      },
      now(),
      reach,
    );
    await this.applyVerdicts(run, org?.name ?? "", verdicts);
  }

  /**
   * Users on Automatic whose mailbox answered from the other place move to the profile that reaches it (the next
   * run checks them there); each user's history says so, and one info message tells how many moved where.
   */
  private async followMoves(run: CheckRunDto, rules: AlertRulesDto, orgName: string): Promise<void> {
    const { store, now, repos } = this.deps;
    const moves = await followMovedMailboxes(repos, run.orgId, run.id, this.deps.checks.runs.allResults(run.id, {}));
    if (moves.length === 0) return;
    const at = run.finishedAt ?? now().toISOString();
    await store.recordStatuses(
      [],
      moves.map((move) => ({
        org_id: run.orgId,
        user_id: move.userId,
        email: move.email,
        change: "moved",
        category: move.category,
        previous_category: null,
        detail: `Moved from ${move.fromProfileName} to ${move.toProfileName}: ${move.evidence}`.slice(0, 1_000),
        run_id: run.id,
        at,
      })),
    );
    const summary = mailboxesMovedSummary(rules, moves);
    if (summary !== null)
      this.background(this.dispatch(run.orgId, orgName, "info", "mailboxes_moved", summary, run.id));
  }

  /** Opens (and sends) or resolves each alert as its verdict says; unknown leaves it as it is. */
  private async applyVerdicts(
    run: CheckRunDto,
    orgName: string,
    verdicts: Partial<Record<AlertKind, Verdict>>,
  ): Promise<void> {
    const { store, now } = this.deps;
    for (const [kind, verdict] of Object.entries(verdicts) as Array<[AlertKind, Verdict]>) {
      if (verdict === "unknown") continue;
      if (verdict === "off") {
        await store.closeAlert(run.orgId, kind);
      } else if (verdict.holds) {
        const opened = await store.openAlert({
          org_id: run.orgId,
          kind,
          summary: verdict.summary,
          opened_at: now().toISOString(),
          run_id: run.id,
        });
        if (opened) this.background(this.dispatch(run.orgId, orgName, "fired", kind, verdict.summary, run.id));
      } else if (await store.closeAlert(run.orgId, kind)) {
        const summary = `Resolved: ${ALERT_NAMES[kind]}`;
        this.background(this.dispatch(run.orgId, orgName, "resolved", kind, summary, run.id));
      }
    }
  }

  /** At start-up: says in the log, naming the variables, when the SMTP relay does not answer (never fatal). */
  async verifySmtp(): Promise<void> {
    const { mailer, config, log } = this.deps;
    if (mailer === null || config.smtp === null) return;
    try {
      await mailer.verify();
    } catch (error) {
      const reason = (error as Error).message.slice(0, 300);
      log.warn(`SMTP_HOST ${config.smtp.host}:${config.smtp.port} (SMTP_PORT) did not accept a connection: ${reason}`);
    }
  }

  /** At start-up: seals the webhook URLs that rows saved before migration 020 hold in clear; returns how many. */
  async sealClearWebhookUrls(): Promise<number> {
    const { store, keyring } = this.deps;
    let sealed = 0;
    for (const row of await store.webhookUrls()) {
      if (row.envelope !== null) continue;
      const seal = sealClearWebhookUrl(row.orgId, row.channelsJson, keyring);
      if (seal !== null) sealed += await store.replaceWebhookUrl(row.orgId, row, seal);
    }
    return sealed;
  }

  /** Resolves once every delivery started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  async close(): Promise<void> {
    this.stopping.abort();
    await this.idle();
    this.deps.mailer?.close();
  }

  private async dispatch(
    orgId: string,
    orgName: string,
    event: AlertEvent,
    kind: AlertKind | null,
    summary: string,
    runId: string | null,
  ) {
    return this.send(await this.prepare(orgId, orgName, event, kind, summary, runId));
  }

  /** Sends a prepared message; email only while the organization is under its daily cap of alert mail. */
  private async send(prepared: PreparedMessage) {
    const { message, webhook } = prepared;
    let email = prepared.email;
    const held = email === null ? [] : await this.holdPastDailyCap(message);
    if (held.length > 0) email = null;
    return [...held, ...(await deliver(this.deliveryDeps(), message, { email, webhook }))];
  }

  /** Past the daily cap: one failed row saying why (no mail), and an audit line at the first one of the day. */
  private async holdPastDailyCap(message: AlertMessageDto) {
    const { store, config } = this.deps;
    const day = message.at.slice(0, 10);
    const today = await store.emailsSince(message.orgId, `${day}T00:00:00.000Z`, MAIL_CAP_REACHED);
    if (today.sent < config.mailDailyCap) return [];
    const row = await store.recordDelivery({
      org_id: message.orgId,
      message_id: message.id,
      channel: "email",
      event: message.event,
      kind: message.kind,
      attempt: 1,
      status: "failed",
      http_status: null,
      error: `${MAIL_CAP_REACHED} (${config.mailDailyCap} a day, ALERT_MAIL_DAILY_CAP); it resets at 00:00 UTC.`,
    });
    if (today.held === 0) {
      await recordAudit(this.deps.repos, {
        orgId: message.orgId,
        actor: "system",
        action: "monitoring.alert_mail.cap_reached",
        after: { cap: config.mailDailyCap, day },
      });
    }
    return [row];
  }

  private async prepare(
    orgId: string,
    orgName: string,
    event: AlertEvent,
    kind: AlertKind | null,
    summary: string,
    runId: string | null,
  ): Promise<PreparedMessage> {
    const row = await this.deps.store.settings(orgId);
    const channels = parseStored(row?.channels_json ?? null, DEFAULT_CHANNELS);
    const message: AlertMessageDto = {
      id: randomUUID(),
      event,
      orgId,
      orgName,
      kind,
      summary,
      runId,
      at: this.deps.now().toISOString(),
    };
    let webhook: WebhookTarget | null = null;
    if (channels.webhook.enabled && channels.webhook.url !== null && row?.webhook_secret_enc) {
      const secret = this.deps.keyring.open(row.webhook_secret_enc, webhookSecretContext(orgId));
      // A row saved before migration 020 and not sealed yet still holds the URL in clear.
      const url = row.webhook_url_enc
        ? this.deps.keyring.open(row.webhook_url_enc, webhookUrlContext(orgId))
        : channels.webhook.url;
      webhook = { url, secret };
    }
    const email = channels.email.enabled && channels.email.recipients.length > 0 ? channels.email.recipients : null;
    return { message, email, webhook };
  }

  private deliveryDeps(): DeliveryDeps {
    const { config, mailer, fetch, store } = this.deps;
    return {
      mailer,
      from: config.smtp?.from ?? null,
      paneUrl: config.paneUrl,
      fetch,
      maxAttempts: config.webhook.maxAttempts,
      retryBaseMs: config.webhook.retryBaseMs,
      record: (row) => store.recordDelivery(row),
      sleep: (ms) => abortableSleep(ms, this.stopping.signal),
    };
  }

  private background(work: Promise<unknown>): void {
    const tracked = work
      .catch((error: unknown) => this.deps.log.error({ err: error }, "alert delivery failed"))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  private rulesOf(row: MonitoringSettingsTable | null): AlertRulesDto {
    return parseStored(row?.rules_json ?? null, DEFAULT_RULES);
  }

  private async toScheduleDto(orgId: string, row: MonitoringSettingsTable | null): Promise<MonitoringScheduleDto> {
    const schedule = this.storedSchedule(row);
    // Alerts are held while a change settles whether or not a schedule was ever saved (the Health tab says so).
    const settling = await this.settlingUntil(orgId, schedule);
    return {
      ...schedule,
      nextRunAt: nextSlot(schedule, this.deps.now())?.toISOString() ?? null,
      settlingUntil: settling?.toISOString() ?? null,
      updatedBy: row?.schedule_updated_by ?? null,
      updatedAt: row?.schedule_updated_at ?? null,
    };
  }

  private toChannelsDto(row: MonitoringSettingsTable | null): AlertChannelsDto {
    const channels = parseStored(row?.channels_json ?? null, DEFAULT_CHANNELS);
    return {
      email: { ...channels.email, smtpConfigured: this.deps.config.smtp !== null },
      webhook: {
        ...channels.webhook,
        url: channels.webhook.url === null ? null : webhookUrlShown(channels.webhook.url),
        hasSecret: row?.webhook_secret_enc != null,
      },
      updatedBy: row?.channels_updated_by ?? null,
      updatedAt: row?.channels_updated_at ?? null,
    };
  }

  private async requireOrg(orgId: string) {
    const org = await organizationOf(this.deps.repos, orgId);
    if (org === null) throw notFound("Organization");
    return org;
  }
}

interface PreparedMessage {
  message: AlertMessageDto;
  email: string[] | null;
  webhook: WebhookTarget | null;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error("the server is shutting down"));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Error("the server is shutting down"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
