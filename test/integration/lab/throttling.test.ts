import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseScenario, startLab, type Lab } from "../../../src/lab/index.js";
import { validateEwsEnvelopes } from "../../support/ewsSchema.js";
import { referenceAvailability } from "../../support/sharedReference.js";
import {
  basic,
  envelope,
  ews,
  getFolderBody,
  labRequest,
  messageValue,
  responseCode,
  withBasic,
} from "../../support/labClient.js";

const FAULTS_FILE = new URL("../../../src/lab/scenarios/faults.json", import.meta.url).pathname;
const SVC = basic("svc-sync@tailspin.lab", "Sync-Lab-2026!");
const imp = (address: string) => ({ PrimarySmtpAddress: address });

let lab: Lab;
beforeAll(async () => {
  lab = await startLab({ scenario: await withBasic(FAULTS_FILE) });
});
afterAll(async () => {
  await lab.close();
});

describe("the service account's concurrency budget", () => {
  it("answers ErrorServerBusy with BackOffMilliseconds beyond the budget, then recovers once requests finish", async () => {
    // Budget 3 with 150 ms latency: of 6 simultaneous requests, 3 run and 3 are refused at once.
    const burst = await Promise.all(
      Array.from({ length: 6 }, () => ews(lab, SVC, getFolderBody(), imp("ok-1@tailspin.lab"))),
    );
    const codes = burst.map((r) => responseCode(r.body));
    expect(codes.filter((c) => c === "NoError")).toHaveLength(3);
    const busy = burst.filter((r) => responseCode(r.body) === "ErrorServerBusy");
    expect(busy).toHaveLength(3);
    expect(messageValue(busy[0]!.body, "BackOffMilliseconds")).toBe("750");
    const after = await ews(lab, SVC, getFolderBody(), imp("ok-2@tailspin.lab"));
    expect(responseCode(after.body)).toBe("NoError");
    if (referenceAvailability().available) {
      const verdicts = await validateEwsEnvelopes([busy[0]!.body, after.body]);
      expect(verdicts.flatMap((v) => v.errors)).toEqual([]);
    }
  });

  it("answers HTTP 503 with Retry-After when the scenario throttles that way", async () => {
    const scenario = parseScenario({
      ...lab.scenario,
      name: "busy-503",
      throttling: { ...lab.scenario.throttling, response: "http503" },
    });
    const lab503 = await startLab({ scenario });
    try {
      const burst = await Promise.all(
        Array.from({ length: 5 }, () => ews(lab503, SVC, getFolderBody(), imp("ok-1@tailspin.lab"))),
      );
      const refused = burst.filter((r) => r.status === 503);
      expect(refused).toHaveLength(2);
      expect(refused[0]!.headers["retry-after"]).toBe("1");
    } finally {
      await lab503.close();
    }
  });

  it("counts each service account against its own ewsBudget when it has one", async () => {
    // Two more accounts on the same server: one with a budget of 1, one of 5; the scenario's budget is 3.
    const account = lab.scenario.serviceAccounts[0]!;
    const scenario = parseScenario({
      ...lab.scenario,
      name: "own-budgets",
      // Long enough that every request of a burst arrives while the first ones are still in flight.
      latencyMs: { min: 1_000, max: 1_000 },
      serviceAccounts: [
        ...lab.scenario.serviceAccounts,
        { ...account, email: "svc-small@tailspin.lab", ewsBudget: 1 },
        { ...account, email: "svc-large@tailspin.lab", ewsBudget: 5 },
      ],
    });
    const labOwn = await startLab({ scenario });
    try {
      const burstOf = async (logon: string): Promise<string[]> =>
        (
          await Promise.all(
            Array.from({ length: 6 }, () =>
              ews(labOwn, basic(logon, "Sync-Lab-2026!"), getFolderBody(), imp("ok-1@tailspin.lab")),
            ),
          )
        ).map((r) => responseCode(r.body) ?? "");
      const [small, large, shared] = await Promise.all([
        burstOf("svc-small@tailspin.lab"),
        burstOf("svc-large@tailspin.lab"),
        burstOf("svc-sync@tailspin.lab"),
      ]);
      expect(small.filter((code) => code === "NoError")).toHaveLength(1);
      expect(large.filter((code) => code === "NoError")).toHaveLength(5);
      expect(shared.filter((code) => code === "NoError")).toHaveLength(3);
    } finally {
      await labOwn.close();
    }
  });

  it("applies the configured latency to each request", async () => {
    const started = performance.now();
    await ews(lab, SVC, getFolderBody(), imp("ok-1@tailspin.lab"));
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
  });
});

describe("injected faults by user", () => {
  it("answers HTTP 500 without SOAP for the http500 user", async () => {
    const res = await ews(lab, SVC, getFolderBody(), imp("fault-500@tailspin.lab"));
    expect(res.status).toBe(500);
    expect(res.body).not.toContain("<s:Envelope");
  });

  it("resets the connection for the reset user and cuts the body short for the truncated user", async () => {
    await expect(ews(lab, SVC, getFolderBody(), imp("fault-reset@tailspin.lab"))).rejects.toThrow();
    await expect(ews(lab, SVC, getFolderBody(), imp("fault-truncated@tailspin.lab"))).rejects.toThrow();
  });

  it("sends XML that does not parse for the malformed user", async () => {
    const res = await ews(lab, SVC, getFolderBody(), imp("fault-malformed@tailspin.lab"));
    expect(res.status).toBe(200);
    expect(res.body).toContain("<unclosed");
    expect(res.body.endsWith("</s:Envelope>")).toBe(false);
  });

  it("never answers the noAnswer user (the client times out)", async () => {
    const pending = labRequest(lab, "/EWS/Exchange.asmx", {
      body: envelope(getFolderBody(), imp("fault-noanswer@tailspin.lab")),
      headers: { authorization: SVC, "content-type": "text/xml" },
      timeoutMs: 500,
    });
    await expect(pending).rejects.toThrow(/timeout/i);
  });

  it("answers ErrorServerBusy for the throttle fault user even under the budget, and 429 on Graph", async () => {
    const res = await ews(lab, SVC, getFolderBody(), imp("fault-busy@tailspin.lab"));
    expect(responseCode(res.body)).toBe("ErrorServerBusy");
    const token = await lab.mintToken({
      appClientId: "d3a8f6b1-9c2e-4d75-a0f4-5e1b8c7d2a96",
      audience: "https://graph.microsoft.com",
    });
    const graph = await labRequest(lab, "/v1.0/users/fault-busy@tailspin.lab/mailFolders/inbox", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(graph.status).toBe(429);
    expect(graph.headers["retry-after"]).toBe("1");
    expect(JSON.parse(graph.body)).toMatchObject({ error: { code: "TooManyRequests" } });
  });
});
