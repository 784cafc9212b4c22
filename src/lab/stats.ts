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

  snapshot(): Record<string, number> {
    return Object.fromEntries(
      Object.entries(this).filter((entry): entry is [string, number] => typeof entry[1] === "number"),
    );
  }
}
