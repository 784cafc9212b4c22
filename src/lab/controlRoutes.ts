/**
 * The lab's own small API beside the services it plays: GET /lab/mail (what the mail catcher received) and
 * POST /lab/control (stage or fix a failure, see control.ts). Control answers loopback peers only, and a browser
 * form only from the lab's own front page (its Origin), so another site open in the browser cannot change the lab.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { applyControl, ControlError, parseControl } from "./control.js";
import type { Directory } from "./directory.js";
import { readBody, send, sendJson } from "./http.js";
import type { MailCatcher } from "./mail.js";
import type { Scenario } from "./scenario.js";

const LOOPBACK_PEERS = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);

export function sendMail(res: ServerResponse, mail: MailCatcher): void {
  sendJson(res, 200, { messages: mail.messages }, { "cache-control": "no-store" });
}

export async function handleControl(
  req: IncomingMessage,
  res: ServerResponse,
  lab: { directory: Directory; scenario: Scenario; origin: string; changed: () => void },
): Promise<void> {
  if (req.method !== "POST") return sendJson(res, 405, { error: "method_not_allowed", message: "POST only" });
  if (!LOOPBACK_PEERS.has(req.socket.remoteAddress ?? "")) {
    return sendJson(res, 403, { error: "forbidden", message: "the control endpoint answers loopback only" });
  }
  const contentType = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  const form = contentType === "application/x-www-form-urlencoded";
  if (!form && contentType !== "application/json") {
    return sendJson(res, 415, { error: "unsupported_media_type", message: "send application/json" });
  }
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== lab.origin) {
    return sendJson(res, 403, { error: "forbidden", message: `requests from ${origin} may not change the lab` });
  }
  const raw = await readBody(req, 64 * 1024);
  let body: Record<string, unknown>;
  try {
    body = form ? Object.fromEntries(new URLSearchParams(raw)) : (JSON.parse(raw) as Record<string, unknown>);
  } catch {
    return sendJson(res, 400, { error: "invalid_request", message: "the body is not JSON" });
  }
  try {
    const done = applyControl(lab.directory, lab.scenario, parseControl(body ?? {}));
    lab.changed();
    if (form) return send(res, 303, "", { location: `/?done=${encodeURIComponent(done)}` });
    return sendJson(res, 200, { done });
  } catch (error) {
    if (!(error instanceof ControlError)) throw error;
    return sendJson(res, 400, { error: "invalid_request", message: error.message });
  }
}
