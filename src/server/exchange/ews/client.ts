/**
 * Sends built EWS requests to one endpoint with the access type's sign-in and classifies the answer.
 * A 401 on an OAuth token is retried once with a freshly refreshed token (tokens can expire between calls);
 * the service account's logon and password (Basic or NTLM, see auth/serviceAccountSignIn.ts) are never retried
 * beyond NTLM's one re-authentication of a connection, so a wrong password cannot lock the account out.
 */
import type { ServiceAccountSignIn } from "../auth/serviceAccountSignIn.js";
import type { ExchangeFetch } from "../transport.js";
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
}

export function createEwsClient(options: {
  fetch: ExchangeFetch;
  url: string;
  credentials: EwsCredentials;
  timeoutMs: number;
}): EwsClient {
  const { credentials } = options;
  const send = async (request: EwsRequest, signal: AbortSignal, forceRefresh: boolean): Promise<EwsOutcome> => {
    const sendOptions = { timeoutMs: options.timeoutMs, signal };
    let result;
    if (credentials.kind === "serviceAccount") {
      result = await credentials.signIn.send(
        options.url,
        { method: "POST", headers: request.headers, body: request.body },
        sendOptions,
      );
    } else {
      const authorization = await credentials.authorize(forceRefresh, signal);
      if (!authorization.ok) return { ok: false, classified: authorization.classified, serverVersion: null };
      result = await sendHttp(
        options.fetch,
        options.url,
        { method: "POST", headers: { ...request.headers, Authorization: authorization.header }, body: request.body },
        sendOptions,
      );
    }
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
  };
}
