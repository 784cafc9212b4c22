/**
 * msal-node's HTTP goes through the product's outbound fetch: the URL guard applies and the lab's CA is trusted the
 * same way as for EWS and Graph. The last transport failure is kept so token errors can say tls_error or timeout
 * instead of msal's generic network_error.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from "@azure/msal-node";
import type { ExchangeFetch, OutboundRequestInit } from "../transport.js";
import type { Classified } from "../transport.js";
import { sendHttp } from "../transport.js";

export interface ObservedNetworkModule extends INetworkModule {
  /** The transport failure of the most recent request, or null when it got an HTTP answer. */
  lastFailure(): Classified | null;
  /** The error_description of the most recent answer that refused (HTTP 4xx), or null: msal drops it on discovery. */
  lastRefusal(): string | null;
}

class TransportFailure extends Error {
  constructor(readonly classified: Classified) {
    super(classified.detail ?? classified.category);
    this.name = "TransportFailure";
  }
}

export function msalNetworkModule(fetch: ExchangeFetch, timeoutMs: number): ObservedNetworkModule {
  let failure: Classified | null = null;
  let refusal: string | null = null;
  async function send<T>(
    method: "GET" | "POST",
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    const init: OutboundRequestInit = { method };
    if (options?.headers !== undefined) init.headers = options.headers;
    if (method === "POST" && options?.body !== undefined) init.body = options.body;
    const result = await sendHttp(fetch, url, init, { timeoutMs, signal: new AbortController().signal });
    if (!result.ok) {
      failure = result.failure;
      throw new TransportFailure(result.failure);
    }
    failure = null;
    const headers: Record<string, string> = {};
    result.answer.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    let body: unknown = {};
    try {
      body = JSON.parse(result.answer.body);
    } catch {
      // Identity endpoints answer JSON; anything else surfaces through msal as a server error without a body.
      body = { error: "invalid_response", error_description: `HTTP ${result.answer.status}: not JSON` };
    }
    const description = (body as { error_description?: unknown }).error_description;
    refusal =
      result.answer.status >= 400 && typeof description === "string" ? (description.split(/\r?\n/)[0] ?? null) : null;
    return { headers, body: body as T, status: result.answer.status };
  }
  return {
    sendGetRequestAsync: (url, options) => send("GET", url, options),
    sendPostRequestAsync: (url, options) => send("POST", url, options),
    lastFailure: () => failure,
    lastRefusal: () => refusal,
  };
}
