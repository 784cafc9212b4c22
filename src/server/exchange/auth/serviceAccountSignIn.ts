/**
 * How the Microsoft Exchange Impersonation service account signs in to EWS and Autodiscover POX: Basic (a header on
 * every request, over the shared pool) or Windows authentication (NTLMv2), which authenticates a TCP connection,
 * not a request. For NTLM each concurrent caller gets a dedicated connection of its own: the handshake runs once per
 * connection, later requests reuse it, so N workers hold N authenticated connections. A 401 on an authenticated
 * connection re-authenticates once; a second refusal is auth_failed. Automatic picks NTLM when the server offers it,
 * else Basic. Credentials, challenges and responses stay in this module: failures carry only what the admin reads.
 */
import type { EwsAuthentication } from "../../../contract/accessTypes.js";
import type { ConnectionOpener, ExchangeFetch, OutboundRequestInit } from "../transport.js";
import type { PinnedConnection } from "../../net/outbound.js";
import type { Classified, HttpAnswer, HttpResult, SendOptions } from "../transport.js";
import { sendHttp } from "../transport.js";
import { authenticateHeader, negotiateHeader } from "./ntlm.js";

export type SignInMethod = "ntlm" | "basic";

export const SIGN_IN_METHOD_LABELS: Record<SignInMethod, string> = {
  ntlm: "Windows authentication (NTLM)",
  basic: "Basic authentication",
};

/** The schemes a WWW-Authenticate value lists (several challenges joined by commas), e.g. Negotiate, NTLM, Basic. */
export function offeredSchemes(header: string | null): string[] {
  if (header === null) return [];
  const schemes: string[] = [];
  for (const part of header.split(",")) {
    // A challenge starts with its scheme followed by a space or the end; auth-params ("realm=…") do not.
    const scheme = /^\s*([A-Za-z][\w!#$%&'*+.^`|~-]*)(?=\s|$)/.exec(part)?.[1];
    if (scheme !== undefined && !schemes.some((known) => known.toLowerCase() === scheme.toLowerCase())) {
      schemes.push(scheme);
    }
  }
  return schemes;
}

/** The NTLM CHALLENGE token of a 401 ("NTLM <base64>" or "Negotiate <base64>"), if any. */
export function challengeToken(header: string | null): string | null {
  if (header === null) return null;
  for (const part of header.split(",")) {
    const match = /^\s*(?:NTLM|Negotiate)\s+([A-Za-z0-9+/]+=*)\s*$/i.exec(part);
    if (match?.[1] !== undefined && match[1].length > 16) return match[1];
  }
  return null;
}

export interface ServiceAccountSignIn {
  /** Sends one request signed in as the service account; resolves with the answer or a classified failure. */
  send(url: string, init: OutboundRequestInit, options: SendOptions): Promise<HttpResult>;
  /** Learns what the server offers from an unauthenticated answer (the preflight's probe). */
  learn(answer: HttpAnswer): void;
  /** The schemes the server listed in its last 401, or null before one was seen. */
  offered(): string[] | null;
  /** The method of the last accepted request, or null before one. */
  used(): SignInMethod | null;
  /** Dedicated NTLM connections opened so far. */
  connections(): number;
  close(): Promise<void>;
}

export interface ServiceAccountSignInOptions {
  authentication: EwsAuthentication;
  accountLogon: string;
  password: string;
  /** The shared pool, for Basic. */
  fetch: ExchangeFetch;
  /** Dedicated connections, for NTLM. */
  openConnection?: ConnectionOpener;
}

interface Channel {
  connection: PinnedConnection<ExchangeFetch>;
  /** The connection generation the handshake authenticated, or null. */
  signedInOn: number | null;
}

interface Attempt {
  result: HttpResult;
  /** The server answered the AUTHENTICATE message with 401. */
  refused: boolean;
}

function withAuthorization(init: OutboundRequestInit, authorization: string): OutboundRequestInit {
  return { ...init, headers: { ...init.headers, Authorization: authorization } };
}

const failure = (classified: Classified): HttpResult => ({ ok: false, failure: classified });

export function createServiceAccountSignIn(options: ServiceAccountSignInOptions): ServiceAccountSignIn {
  const { authentication, accountLogon, password, openConnection } = options;
  const basicHeader = `Basic ${Buffer.from(`${accountLogon}:${password}`, "utf8").toString("base64")}`;
  let offered: string[] | null = null;
  let used: SignInMethod | null = null;
  let signedInOnce = false;
  const idle = new Map<string, Channel[]>();
  const channels: Channel[] = [];

  const offers = (scheme: string): boolean => offered?.some((entry) => entry.toLowerCase() === scheme) ?? false;
  const offeredText = (): string => (offered === null || offered.length === 0 ? "nothing" : offered.join(", "));
  const learnFrom = (answer: HttpAnswer): void => {
    if (answer.status === 401) offered = offeredSchemes(answer.headers.get("www-authenticate"));
  };
  const unsupported = (): Classified => ({
    category: "auth_method_unsupported",
    detail: offers("negotiate")
      ? `the server offers ${offeredText()}: Negotiate without NTLM is Kerberos, which this product does not use`
      : `the server offers ${offeredText()}, not Windows authentication (NTLM)`,
    httpStatus: 401,
  });
  const basicDisabled = (): Classified => ({
    category: "basic_disabled",
    detail: `Basic is chosen but the server offers ${offeredText()}`,
    httpStatus: 401,
  });

  function choose(): SignInMethod | Classified {
    if (authentication === "basic") return offered !== null && !offers("basic") ? basicDisabled() : "basic";
    const ntlmPossible = openConnection !== undefined;
    if (authentication === "ntlm") {
      if (!ntlmPossible) return { category: "auth_method_unsupported", detail: "no dedicated connections for NTLM" };
      return offered !== null && !offers("ntlm") ? unsupported() : "ntlm";
    }
    if (offered === null) return ntlmPossible ? "ntlm" : "basic";
    if (offers("ntlm") && ntlmPossible) return "ntlm";
    return offers("basic") ? "basic" : unsupported();
  }

  async function sendBasic(url: string, init: OutboundRequestInit, sendOptions: SendOptions): Promise<HttpResult> {
    const result = await sendHttp(options.fetch, url, withAuthorization(init, basicHeader), sendOptions);
    if (result.ok && result.answer.status === 401) {
      learnFrom(result.answer);
      if (!offers("basic")) return failure(basicDisabled());
    } else if (result.ok) {
      used = "basic";
    }
    return result;
  }

  function acquire(url: string): Channel {
    const origin = new URL(url).origin;
    const channel = idle.get(origin)?.pop();
    if (channel !== undefined) return channel;
    const opened: Channel = { connection: openConnection!(url), signedInOn: null };
    channels.push(opened);
    return opened;
  }

  function release(url: string, channel: Channel): void {
    const origin = new URL(url).origin;
    const list = idle.get(origin) ?? [];
    list.push(channel);
    idle.set(origin, list);
  }

  /** NEGOTIATE → CHALLENGE → AUTHENTICATE carrying the request itself, on the channel's connection. */
  async function handshake(
    channel: Channel,
    url: string,
    init: OutboundRequestInit,
    sendOptions: SendOptions,
  ): Promise<Attempt> {
    const { connection } = channel;
    channel.signedInOn = null;
    // Twice at most: once more when the connection was replaced between the CHALLENGE and the AUTHENTICATE.
    for (let round = 0; round < 2; round += 1) {
      const negotiate = await sendHttp(
        connection.fetch,
        url,
        { ...withAuthorization(init, negotiateHeader()), ...(init.method === "POST" ? { body: "" } : {}) },
        sendOptions,
      );
      if (!negotiate.ok) return { result: negotiate, refused: false };
      if (negotiate.answer.status !== 401) {
        // The server let the NEGOTIATE through without a challenge: nothing to sign in to at this URL.
        return { result: await sendHttp(connection.fetch, url, init, sendOptions), refused: false };
      }
      const token = challengeToken(negotiate.answer.headers.get("www-authenticate"));
      if (token === null) {
        learnFrom(negotiate.answer);
        const next = choose();
        if (typeof next !== "string") return { result: failure(next), refused: false };
        if (next === "basic") return { result: await sendBasic(url, init, sendOptions), refused: false };
        return { result: failure(unsupported()), refused: false };
      }
      const generation = connection.generation();
      const authenticate = authenticateHeader(token, accountLogon, password);
      if (!authenticate.ok) {
        return { result: failure({ category: "ntlm_refused", detail: authenticate.detail }), refused: false };
      }
      const answer = await sendHttp(connection.fetch, url, withAuthorization(init, authenticate.header), sendOptions);
      const unanswered = !answer.ok || answer.answer.status === 401;
      if (unanswered && connection.generation() !== generation) continue;
      if (answer.ok && answer.answer.status === 401) return { result: answer, refused: true };
      if (answer.ok) {
        channel.signedInOn = generation;
        signedInOnce = true;
        used = "ntlm";
        offered ??= ["Negotiate", "NTLM"];
      }
      return { result: answer, refused: false };
    }
    return {
      result: failure({ category: "network_error", detail: "the connection closed during the NTLM handshake twice" }),
      refused: false,
    };
  }

  async function sendNtlm(url: string, init: OutboundRequestInit, sendOptions: SendOptions): Promise<HttpResult> {
    const channel = acquire(url);
    try {
      const warm = channel.signedInOn !== null && channel.signedInOn === channel.connection.generation();
      if (warm) {
        const result = await sendHttp(channel.connection.fetch, url, init, sendOptions);
        if (!result.ok || result.answer.status !== 401) return result;
        // The server dropped the connection's sign-in: sign in again once, then stop rather than lock the account.
        const again = await handshake(channel, url, init, sendOptions);
        if (!again.refused) return again.result;
        return failure({
          category: "auth_failed",
          detail: "the server refused the Windows sign-in again on a connection it had accepted",
          httpStatus: 401,
        });
      }
      const attempt = await handshake(channel, url, init, sendOptions);
      if (!attempt.refused) return attempt.result;
      return failure(
        signedInOnce
          ? {
              category: "auth_failed",
              detail: "the server refused the Windows sign-in it accepted before",
              httpStatus: 401,
            }
          : {
              category: "ntlm_refused",
              detail: "HTTP 401 after a complete NTLMv2 handshake (wrong password, or the server refuses this sign-in)",
              httpStatus: 401,
            },
      );
    } finally {
      release(url, channel);
    }
  }

  return {
    async send(url, init, sendOptions) {
      const method = choose();
      if (typeof method !== "string") return failure(method);
      return method === "basic" ? sendBasic(url, init, sendOptions) : sendNtlm(url, init, sendOptions);
    },
    learn: learnFrom,
    offered: () => (offered === null ? null : [...offered]),
    used: () => used,
    connections: () => channels.length,
    async close() {
      idle.clear();
      await Promise.all(channels.splice(0).map((channel) => channel.connection.close()));
    },
  };
}
