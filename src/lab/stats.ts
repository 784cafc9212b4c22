import type { ServerResponse } from "node:http";

/** Counters the lab keeps so tests can assert how the product behaved (anchoring, back-off, faults seen). */
export class LabStats {
  ewsRequests = 0;
  /** Requests that carried X-AnchorMailbox, and those whose anchor differed from the mailbox acted on. */
  ewsAnchored = 0;
  ewsAnchorMismatches = 0;
  /** Requests refused for the concurrency budget (ErrorServerBusy or HTTP 503). */
  ewsBusy = 0;
  /** Accepted EWS and Autodiscover POX requests by the method that authenticated them. */
  acceptedNtlm = 0;
  acceptedBasic = 0;
  acceptedBearer = 0;
  /** Completed NTLM handshakes (one per authenticated connection) and refused AUTHENTICATE messages. */
  ntlmHandshakes = 0;
  ntlmRefused = 0;
  graphRequests = 0;
  graphThrottled = 0;
  autodiscoverRequests = 0;
  faultsInjected = 0;
  tokensIssued = 0;
  /** Authenticated EWS requests in flight per account (or app), refused ones included, and the most ever seen. */
  private readonly ewsInFlight = new Map<string, number>();
  private readonly ewsPeak = new Map<string, number>();
  /** The same for authenticated Graph requests, per app (`app:{clientId}`) or signed-in user. */
  private readonly graphInFlight = new Map<string, number>();
  private readonly graphPeak = new Map<string, number>();

  /**
   * Counts one request of `account` in flight until it is answered: when the lab calls `res.end()` (the moment the
   * product's next request on that slot becomes possible), or the connection closes without an answer. Waiting for
   * the socket's write callback instead would count a request the product already has its answer to.
   */
  trackEws(account: string, res: ServerResponse): void {
    track(this.ewsInFlight, this.ewsPeak, account, res);
  }

  /** As trackEws, for a Graph request of `principal` (its budget key). */
  trackGraph(principal: string, res: ServerResponse): void {
    track(this.graphInFlight, this.graphPeak, principal, res);
  }

  /** The most EWS requests one account ever had in flight at once, by account. */
  peakInFlight(): Record<string, number> {
    return Object.fromEntries(this.ewsPeak);
  }

  /** The most Graph requests one app (or user) ever had in flight at once, by its budget key. */
  graphPeakInFlight(): Record<string, number> {
    return Object.fromEntries(this.graphPeak);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
    );
  }
}

function track(inFlight: Map<string, number>, peak: Map<string, number>, key: string, res: ServerResponse): void {
  const now = (inFlight.get(key) ?? 0) + 1;
  inFlight.set(key, now);
  if (now > (peak.get(key) ?? 0)) peak.set(key, now);
  let left = false;
  const leave = (): void => {
    if (left) return;
    left = true;
    inFlight.set(key, (inFlight.get(key) ?? 1) - 1);
  };
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.end = ((...args: unknown[]) => {
    leave();
    return end(...args);
  }) as ServerResponse["end"];
  res.once("close", leave);
}
