/**
 * The one outbound HTTP client for server-side calls (EWS, Graph, token endpoints, JWKS). Every new connection
 * resolves the host itself, checks the address with the URL guard and connects to that very address (closing the
 * DNS-rebinding gap between check and use), with TLS verified against the original host name.
 */
import { lookup } from "node:dns/promises";
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import { createSecureContext, rootCertificates } from "node:tls";
import { Agent, Client, buildConnector, fetch as undiciFetch, type RequestInit, type Response } from "undici";
import type { OutboundConfig } from "../config.js";
import {
  checkAddress,
  checkUrlShape,
  guardUrl,
  type GuardVerdict,
  type HostOverride,
  type Resolver,
} from "./urlGuard.js";

export class OutboundBlockedError extends Error {
  constructor(
    readonly rule: string,
    reason: string,
  ) {
    super(`Outbound request refused: ${reason}`);
    this.name = "OutboundBlockedError";
  }
}

export type OutboundFetch = (input: string | URL, init?: RequestInit) => Promise<Response>;

/**
 * One TCP connection of its own (undici Client, no pipelining): what connection-bound sign-ins (NTLM) need.
 * `generation` counts the sockets it has opened, so a caller sees when a dropped connection was replaced. `Fetch` is
 * the signature its user asks for (the exchange module asks only for the parts it calls).
 */
export interface PinnedConnection<Fetch = OutboundFetch> {
  fetch: Fetch;
  generation(): number;
  close(): Promise<void>;
}

export interface OutboundClient {
  fetch: OutboundFetch;
  /** A dedicated connection to the origin of `url` (same URL guard, DNS pinning and TLS as fetch). */
  openConnection(url: string): PinnedConnection;
  /** Checks a URL (shape and resolved addresses) without connecting, e.g. an EWS URL an admin saves. */
  guard(url: string): Promise<GuardVerdict>;
  dispatcher: Agent;
  close(): Promise<void>;
}

const HTTPS_PORT = 443;

/**
 * The port an overridden host is reached on. An override with a port stands for the lab, which serves that host on
 * the default https port and on its own port only: any other port gets a refused connection, as a real server where
 * nothing listens there would (a typo such as :4444 must not check as working). Without a port the request's own
 * port is kept.
 */
export function overriddenPort(override: HostOverride, requestedPort: number): number | null | "unserved" {
  if (override.port === null) return null;
  return requestedPort === HTTPS_PORT || requestedPort === override.port ? override.port : "unserved";
}

/** What Node answers when nothing listens on a port, so callers classify it as any refused connection. */
function connectionRefused(hostname: string, port: number): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${hostname}:${port} (nothing listens on that port)`), {
    code: "ECONNREFUSED",
    syscall: "connect",
    port,
  });
}

export const systemResolver: Resolver = async (hostname) =>
  (await lookup(hostname, { all: true, verbatim: true })).map((entry) => entry.address);

export interface OutboundOptions {
  resolve?: Resolver;
}

export function createOutboundClient(config: OutboundConfig, options: OutboundOptions = {}): OutboundClient {
  const resolve = options.resolve ?? systemResolver;
  const ca = config.caFile ? [...rootCertificates, readFileSync(config.caFile, "utf8")] : undefined;
  // One secure context for every connection: building one from ~140 roots plus a CA costs ~45 ms of CPU each time.
  const secureContext = ca ? createSecureContext({ ca }) : undefined;
  const connectTls = buildConnector({
    timeout: Math.min(config.timeoutMs, 10_000),
    ...(secureContext ? { secureContext } : {}),
  });

  async function target(hostname: string, requestedPort: number): Promise<{ address: string; port: number | null }> {
    const override = config.hostOverrides[hostname];
    const addresses = override ? [override.address] : isIP(hostname) !== 0 ? [hostname] : await resolve(hostname);
    if (addresses.length === 0) throw new OutboundBlockedError("unresolvable", `host ${hostname} has no address`);
    for (const address of addresses) {
      const verdict = checkAddress(address, hostname, config);
      if (verdict.ok) {
        if (!override) return { address, port: null };
        const port = overriddenPort(override, requestedPort);
        if (port === "unserved") throw connectionRefused(hostname, requestedPort);
        return { address, port };
      }
      // One bad address is enough to refuse: a name mixing public and private answers is suspicious.
      throw new OutboundBlockedError(verdict.rule, verdict.reason);
    }
    throw new OutboundBlockedError("unresolvable", `host ${hostname} has no address`);
  }

  const connect: buildConnector.connector = (opts, callback) => {
    if (opts.protocol !== "https:") {
      callback(new OutboundBlockedError("https_only", `${opts.protocol}//${opts.hostname} is not https`), null);
      return;
    }
    const hostname = opts.hostname.replace(/^\[|\]$/g, "").toLowerCase();
    target(hostname, opts.port === "" || opts.port === undefined ? HTTPS_PORT : Number(opts.port)).then(
      ({ address, port }) =>
        connectTls(
          {
            ...opts,
            hostname: address,
            port: port === null ? opts.port : String(port),
            ...(isIP(hostname) === 0 ? { servername: hostname } : {}),
          },
          callback,
        ),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error)), null),
    );
  };
  const dispatcher = new Agent({ connect, headersTimeout: config.timeoutMs, bodyTimeout: config.timeoutMs });

  const guardedFetch: OutboundFetch = async (input, init) => {
    const shape = checkUrlShape(String(input));
    if (!shape.ok) throw new OutboundBlockedError(shape.rule, `${String(input).split("?")[0]} ${shape.reason}`);
    const signal = init?.signal ?? AbortSignal.timeout(config.timeoutMs);
    return undiciFetch(input, { ...init, signal, dispatcher });
  };

  function openConnection(url: string): PinnedConnection {
    const origin = new URL(url).origin;
    let sockets = 0;
    const client = new Client(origin, {
      pipelining: 1,
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
      connect: (opts, callback) =>
        connect(opts, (...result) => {
          if (result[0] === null) sockets += 1;
          callback(...result);
        }),
    });
    return {
      fetch: async (input, init) => {
        const shape = checkUrlShape(String(input));
        if (!shape.ok) throw new OutboundBlockedError(shape.rule, `${String(input).split("?")[0]} ${shape.reason}`);
        // A Client sends everything to its own origin: a URL of another origin is a programming error.
        if (new URL(String(input)).origin !== origin) throw new Error(`pinned connection to ${origin} got ${input}`);
        const signal = init?.signal ?? AbortSignal.timeout(config.timeoutMs);
        return undiciFetch(input, { ...init, signal, dispatcher: client });
      },
      generation: () => sockets,
      close: () => client.close(),
    };
  }

  return {
    fetch: guardedFetch,
    openConnection,
    guard: (url) => guardUrl(url, config, resolve),
    dispatcher,
    close: () => dispatcher.close(),
  };
}
