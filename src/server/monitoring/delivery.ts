/**
 * Sends one alert message through the organization's channels: email through the SMTP relay (nodemailer) and a
 * webhook POST signed with HMAC-SHA256 over `${timestamp}.${body}`, retried with exponential back-off. Every attempt
 * lands in the delivery log; nothing here throws, so a failing channel never stops the caller.
 */
import { createHmac } from "node:crypto";
import nodemailer, { type Transporter } from "nodemailer";
import {
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  alertNameOf,
  type AlertMessageDto,
  type DeliveryAttemptDto,
} from "../../contract/monitoring.js";
import type { SmtpConfig } from "../config.js";
import type { OutboundFetch } from "../net/outbound.js";
import type { MonitoringDeliveriesTable } from "./tables.js";

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface DeliveryDeps {
  mailer: Transporter | null;
  from: string | null;
  /** Where admins open the pane (PANE_URL): the email links its Health tab; null leaves the link out. */
  paneUrl: string | null;
  fetch: OutboundFetch;
  maxAttempts: number;
  retryBaseMs: number;
  record(row: Omit<MonitoringDeliveriesTable, "id" | "at">): Promise<MonitoringDeliveriesTable>;
  sleep?: (ms: number) => Promise<void>;
}

export function createMailer(smtp: SmtpConfig | null): Transporter | null {
  if (smtp === null) return null;
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.auth ? { auth: smtp.auth } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
}

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${body}`): what a receiver recomputes to verify. */
export function webhookSignature(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")}`;
}

export function toDeliveryDto(row: MonitoringDeliveriesTable): DeliveryAttemptDto {
  return {
    id: row.id,
    messageId: row.message_id,
    channel: row.channel === "email" ? "email" : "webhook",
    event: row.event as DeliveryAttemptDto["event"],
    kind: row.kind as DeliveryAttemptDto["kind"],
    alertName: alertNameOf(row.kind as DeliveryAttemptDto["kind"]),
    attempt: Number(row.attempt),
    status: row.status as DeliveryAttemptDto["status"],
    httpStatus: row.http_status === null ? null : Number(row.http_status),
    error: row.error,
    at: row.at,
  };
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

const PREFIXES: Record<AlertMessageDto["event"], string> = {
  fired: "Alert",
  resolved: "Resolved",
  test: "Test",
  info: "Info",
};

function subjectOf(message: AlertMessageDto): string {
  const prefix = PREFIXES[message.event];
  return `[Sync Sidebar] ${prefix}: ${message.orgName}: ${message.summary}`.slice(0, 200);
}

/** The pane's Health tab (its deep link), from where admins open the pane. */
export function healthLink(paneUrl: string): string {
  return `${paneUrl.split("#")[0]}#/admin/health`;
}

function textOf(message: AlertMessageDto, paneUrl: string | null): string {
  return [
    message.event === "resolved" ? "This condition has cleared." : message.summary,
    "",
    `Organization: ${message.orgName}`,
    `Alert: ${alertNameOf(message.kind)}`,
    `Event: ${message.event}`,
    ...(message.runId ? [`Check run: ${message.runId}`] : []),
    `At: ${message.at}`,
    "",
    paneUrl === null
      ? "Open the Sync Sidebar admin view (Health) for details."
      : `Details in Sync Sidebar's Health tab: ${healthLink(paneUrl)}`,
  ].join("\n");
}

async function sendEmail(
  deps: DeliveryDeps,
  message: AlertMessageDto,
  recipients: string[],
): Promise<MonitoringDeliveriesTable> {
  const base = { org_id: message.orgId, message_id: message.id, channel: "email", event: message.event };
  const common = { ...base, kind: message.kind, attempt: 1, http_status: null };
  if (deps.mailer === null || deps.from === null) {
    return deps.record({ ...common, status: "failed", error: "SMTP_HOST is not configured on the server" });
  }
  try {
    await deps.mailer.sendMail({
      from: deps.from,
      to: recipients,
      subject: subjectOf(message),
      text: textOf(message, deps.paneUrl),
    });
    return await deps.record({ ...common, status: "delivered", error: null });
  } catch (error) {
    const reason = (error as Error).message.slice(0, 300);
    return deps.record({ ...common, status: "failed", error: `SMTP: ${reason}` });
  }
}

/**
 * Why a webhook POST got no answer, in the admin's words: the URL guard's refusal apart from a refused connection,
 * and never the error's own text (it may carry the URL, whose path is a credential) or internals.
 */
export function webhookFailureReason(failure: unknown): string {
  const chain: Array<{ name?: unknown; code?: unknown }> = [];
  for (let current = failure, depth = 0; typeof current === "object" && current !== null && depth < 6; depth += 1) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  const has = (test: (entry: { name?: unknown; code?: unknown }) => boolean) => chain.some(test);
  if (has((entry) => entry.name === "OutboundBlockedError")) {
    return "refused by the server's URL guard: the webhook's address is not allowed (private, loopback or not https)";
  }
  if (has((entry) => entry.code === "ECONNREFUSED")) return "the webhook's host refused the connection";
  if (has((entry) => entry.code === "ENOTFOUND" || entry.code === "EAI_AGAIN")) {
    return "the webhook's host name does not resolve";
  }
  if (has((entry) => entry.name === "TimeoutError" || entry.name === "AbortError" || entry.code === "ETIMEDOUT")) {
    return "the webhook did not answer within 10 s";
  }
  if (has((entry) => typeof entry.code === "string" && /CERT|TLS|SSL/.test(entry.code))) {
    return "TLS failed: the webhook's certificate was not accepted";
  }
  if (has((entry) => entry.code === "ECONNRESET" || entry.code === "UND_ERR_SOCKET")) {
    return "the webhook's host closed the connection";
  }
  return "the request failed before the webhook answered";
}

/** POSTs until a 2xx, up to maxAttempts, waiting retryBaseMs × 2^(attempt−1) between; a 4xx other than 408/429 stops. */
async function sendWebhook(
  deps: DeliveryDeps,
  message: AlertMessageDto,
  target: WebhookTarget,
): Promise<MonitoringDeliveriesTable[]> {
  const body = JSON.stringify(message);
  const sleep = deps.sleep ?? defaultSleep;
  const rows: MonitoringDeliveriesTable[] = [];
  for (let attempt = 1; attempt <= deps.maxAttempts; attempt += 1) {
    const timestamp = String(Math.floor(Date.now() / 1000));
    let httpStatus: number | null = null;
    let error: string | null = null;
    try {
      const response = await deps.fetch(target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          [WEBHOOK_TIMESTAMP_HEADER]: timestamp,
          [WEBHOOK_SIGNATURE_HEADER]: webhookSignature(target.secret, timestamp, body),
        },
        body,
        redirect: "manual",
        signal: AbortSignal.timeout(10_000),
      });
      httpStatus = response.status;
      await response.body?.cancel();
      if (response.status < 200 || response.status >= 300) error = `the webhook answered HTTP ${response.status}`;
    } catch (failure) {
      error = webhookFailureReason(failure);
    }
    const permanent = httpStatus !== null && httpStatus >= 400 && httpStatus < 500 && ![408, 429].includes(httpStatus);
    const last = error === null || permanent || attempt === deps.maxAttempts;
    rows.push(
      await deps.record({
        org_id: message.orgId,
        message_id: message.id,
        channel: "webhook",
        event: message.event,
        kind: message.kind,
        attempt,
        status: error === null ? "delivered" : last ? "failed" : "retrying",
        http_status: httpStatus,
        error,
      }),
    );
    if (last) break;
    await sleep(deps.retryBaseMs * 2 ** (attempt - 1));
  }
  return rows;
}

/** Sends to each channel given (in parallel); resolves with every attempt, never rejects. */
export async function deliver(
  deps: DeliveryDeps,
  message: AlertMessageDto,
  channels: { email: string[] | null; webhook: WebhookTarget | null },
): Promise<MonitoringDeliveriesTable[]> {
  const sends: Array<Promise<MonitoringDeliveriesTable[]>> = [];
  if (channels.email !== null) sends.push(sendEmail(deps, message, channels.email).then((row) => [row]));
  if (channels.webhook !== null) sends.push(sendWebhook(deps, message, channels.webhook));
  const settled = await Promise.allSettled(sends);
  return settled.flatMap((result) => (result.status === "fulfilled" ? result.value : []));
}
