/**
 * Sends built EWS requests to one endpoint with the access type's sign-in and classifies the answer.
 * A 401 on an OAuth token is retried once with a freshly refreshed token (tokens can expire between calls);
 * the service account's logon and password (Basic or NTLM, see auth/serviceAccountSignIn.ts) are never retried
 * beyond NTLM's one re-authentication of a connection, so a wrong password cannot lock the account out.
 */
import type { ServiceAccountSignIn } from "../auth/serviceAccountSignIn.js";
import type { ExchangeFetch, HttpResult, OutboundRequestInit } from "../transport.js";
import type { Classified } from "../transport.js";
import { sendHttp } from "../transport.js";
import type { EwsOutcome } from "./classify.js";
import { classifyEwsAnswer } from "./classify.js";
import type { EwsRequest } from "./requests.js";

export type EwsAuthorization = { ok: true; header: string } | { ok: false; classified: Classified };

export type EwsCredentials =
  | {
      kind: "oauth";
      /** The Authorization header value; forceRefresh asks for a new token after a 401. */
      authorize(forceRefresh: boolean, signal: AbortSignal): Promise<EwsAuthorization>;
    }
  | { kind: "serviceAccount"; signIn: ServiceAccountSignIn };

export interface EwsClient {
  call(request: EwsRequest, signal: AbortSignal): Promise<EwsOutcome>;
  /**
   * One request to another URL of the same server (Autodiscover POX beside EWS), signed in as EWS calls are; the
   * answer is the caller's to read. The same sign-in rules hold: no retry beyond one token refresh.
   */
  sendSignedIn(url: string, init: OutboundRequestInit, signal: AbortSignal): Promise<HttpResult>;
}

export function createEwsClient(options: {
  fetch: ExchangeFetch;
  url: string;
  credentials: EwsCredentials;
  timeoutMs: number;
}): EwsClient {
  const { credentials } = options;
  const signedIn = async (
    url: string,
    init: OutboundRequestInit,
    signal: AbortSignal,
    forceRefresh: boolean,
  ): Promise<HttpResult> => {
    const sendOptions = { timeoutMs: options.timeoutMs, signal };
    if (credentials.kind === "serviceAccount") return credentials.signIn.send(url, init, sendOptions);
    const authorization = await credentials.authorize(forceRefresh, signal);
    if (!authorization.ok) return { ok: false, failure: authorization.classified };
    return sendHttp(
      options.fetch,
      url,
      { ...init, headers: { ...init.headers, Authorization: authorization.header } },
      sendOptions,
    );
  };
  const send = async (request: EwsRequest, signal: AbortSignal, forceRefresh: boolean): Promise<EwsOutcome> => {
    const init: OutboundRequestInit = { method: "POST", headers: request.headers, body: request.body };
    const result = await signedIn(options.url, init, signal, forceRefresh);
    if (!result.ok) return { ok: false, classified: result.failure, serverVersion: null };
    return classifyEwsAnswer(request.operation, result.answer);
  };
  return {
    async call(request, signal) {
      const outcome = await send(request, signal, false);
      if (!outcome.ok && outcome.classified.category === "auth_failed" && credentials.kind === "oauth") {
        return send(request, signal, true);
      }
      return outcome;
    },
    async sendSignedIn(url, init, signal) {
      const result = await signedIn(url, init, signal, false);
      if (credentials.kind === "oauth" && result.ok && result.answer.status === 401) {
        return signedIn(url, init, signal, true);
      }
      return result;
    },
  };
}
