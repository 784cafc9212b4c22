/**
 * Sends built EWS requests to one endpoint with the access type's Authorization header and classifies the answer.
 * A 401 on an OAuth token is retried once with a freshly refreshed token (tokens can expire between calls);
 * Basic credentials are never retried, so a wrong password cannot lock the service account out.
 */
import type { OutboundFetch } from "../config.js";
import type { Classified } from "../transport.js";
import { sendHttp } from "../transport.js";
import type { EwsOutcome } from "./classify.js";
import { classifyEwsAnswer } from "./classify.js";
import type { EwsRequest } from "./requests.js";

export type EwsAuthorization = { ok: true; header: string } | { ok: false; classified: Classified };

export interface EwsCredentials {
  kind: "basic" | "oauth";
  /** The Authorization header value; forceRefresh asks for a new token after a 401. */
  authorize(forceRefresh: boolean, signal: AbortSignal): Promise<EwsAuthorization>;
}

export interface EwsClient {
  call(request: EwsRequest, signal: AbortSignal): Promise<EwsOutcome>;
}

export function createEwsClient(options: {
  fetch: OutboundFetch;
  url: string;
  credentials: EwsCredentials;
  timeoutMs: number;
}): EwsClient {
  const send = async (request: EwsRequest, signal: AbortSignal, forceRefresh: boolean): Promise<EwsOutcome> => {
    const authorization = await options.credentials.authorize(forceRefresh, signal);
    if (!authorization.ok) return { ok: false, classified: authorization.classified, serverVersion: null };
    const result = await sendHttp(
      options.fetch,
      options.url,
      { method: "POST", headers: { ...request.headers, Authorization: authorization.header }, body: request.body },
      { timeoutMs: options.timeoutMs, signal },
    );
    if (!result.ok) return { ok: false, classified: result.failure, serverVersion: null };
    return classifyEwsAnswer(request.operation, result.answer);
  };
  return {
    async call(request, signal) {
      const outcome = await send(request, signal, false);
      if (!outcome.ok && outcome.classified.category === "auth_failed" && options.credentials.kind === "oauth") {
        return send(request, signal, true);
      }
      return outcome;
    },
  };
}

/** Basic authentication over HTTPS: the service account's logon and password, UTF-8 encoded. */
export function basicCredentials(accountLogon: string, password: string): EwsCredentials {
  const header = `Basic ${Buffer.from(`${accountLogon}:${password}`, "utf8").toString("base64")}`;
  return { kind: "basic", authorize: () => Promise.resolve({ ok: true, header }) };
}
