/**
 * Issue 27, item 7: the delivery log tells a refused connection from the URL guard's refusal (both were "fetch
 * failed"), and never repeats the error's own text, which may carry the webhook URL.
 */
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { describe, expect, it } from "vitest";
import { webhookFailureReason } from "../../../../src/server/monitoring/delivery.js";
import { OutboundBlockedError } from "../../../../src/server/net/outbound.js";

const failure = async (run: () => Promise<unknown>): Promise<unknown> => {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error("expected the request to fail");
};

describe("webhookFailureReason", () => {
  it("says the host refused the connection for a real ECONNREFUSED", async () => {
    // A port that was just free: nothing listens there any more.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    const refused = await failure(() => fetch(`http://127.0.0.1:${port}/hook`, { method: "POST" }));
    expect(webhookFailureReason(refused)).toBe("the webhook's host refused the connection");
  });

  it("says the URL guard refused, without the URL in the guard's message", () => {
    const guard = new TypeError("fetch failed", {
      cause: new OutboundBlockedError("loopback", "https://localhost/services/T0001/B0002/secret is loopback"),
    });
    const reason = webhookFailureReason(guard);
    expect(reason).toContain("URL guard");
    expect(reason).not.toContain("secret");
    expect(webhookFailureReason(new OutboundBlockedError("https_only", "http://x/ is not https"))).toContain(
      "URL guard",
    );
  });

  it("names a timeout and a host that does not resolve, and falls back to a plain sentence", () => {
    expect(webhookFailureReason(new DOMException("The operation timed out.", "TimeoutError"))).toContain("10 s");
    const dns = new TypeError("fetch failed", {
      cause: Object.assign(new Error("getaddrinfo"), { code: "ENOTFOUND" }),
    });
    expect(webhookFailureReason(dns)).toBe("the webhook's host name does not resolve");
    expect(webhookFailureReason(new Error("internal detail at /srv/app.js:12"))).toBe(
      "the request failed before the webhook answered",
    );
  });
});
