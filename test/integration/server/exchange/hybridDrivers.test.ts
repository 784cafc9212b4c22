/**
 * A hybrid organization checked through each of its two profiles, with the real drivers against the hybrid lab:
 * the on-premises profile (Exchange Impersonation, Windows authentication) finds a moved mailbox through
 * Autodiscover's redirect to the cloud routing address, the cloud profile (Graph app-only) finds a synced user whose
 * mailbox is still on-premises through MailboxNotEnabledForRESTAPI; both carry the placement hint the engine places
 * Automatic users with, a move in progress keeps its transient category on both sides, and a move made while the
 * lab runs shows in the next check.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CategoryId } from "../../../../src/contract/categories.js";
import type { CheckOutcome, MailboxDriver } from "../../../../src/server/exchange/driver.js";
import { createMailboxDriver } from "../../../../src/server/exchange/index.js";
import { labRequest } from "../../../support/labClient.js";
import { scenarioFile, startExchangeLab, type ExchangeLab } from "../../../support/lab.js";

const signal = new AbortController().signal;
const GRAPH_APP = "3dfd95b3-6e90-4b65-b311-899c149960bf";
let harness: ExchangeLab;

function onPremises(): MailboxDriver {
  const port = harness.lab.port;
  return createMailboxDriver(
    {
      accessType: "ews_basic_impersonation",
      ewsUrl: `https://mail.northwind.lab:${port}/EWS/Exchange.asmx`,
      accountLogon: "NORTHWIND\\svc-sync",
      password: "Sync-Lab-2026!",
      authentication: "automatic",
    },
    harness.deps(),
  );
}

function cloud(): MailboxDriver {
  return createMailboxDriver(
    {
      accessType: "graph_app_only",
      tenantId: harness.lab.scenario.tenantId,
      clientId: GRAPH_APP,
      credential: { type: "secret", clientSecret: "lab-hybrid-graph-secret" },
    },
    harness.deps(),
  );
}

async function checkAll(driver: MailboxDriver): Promise<Map<string, CheckOutcome>> {
  const outcomes = new Map<string, CheckOutcome>();
  for (const user of harness.lab.scenario.users) {
    outcomes.set(user.email.split("@")[0]!, await driver.checkUser({ email: user.email }, "read", signal));
  }
  return outcomes;
}

const categories = (outcomes: Map<string, CheckOutcome>): Record<string, CategoryId> =>
  Object.fromEntries([...outcomes].map(([user, outcome]) => [user, outcome.category]));

async function move(user: string, to: "cloud" | "onprem", stage: "start" | "complete"): Promise<void> {
  const res = await labRequest(harness.lab, "/lab/control", {
    body: JSON.stringify({ action: "move", user, to, stage }),
    headers: { "content-type": "application/json" },
  });
  expect(res.status, res.body).toBe(200);
}

beforeAll(async () => {
  harness = await startExchangeLab(scenarioFile("hybrid"));
});
afterAll(async () => {
  await harness.close();
});

describe("the on-premises profile (Exchange Impersonation, NTLM)", () => {
  it("passes preflight signed in with Windows authentication", async () => {
    const report = await onPremises().preflight(signal);
    expect(report.canProceed).toBe(true);
    expect(report.steps.find((step) => step.step === "Authenticate")?.detail).toBe(
      "signed in with Windows authentication (NTLM)",
    );
  });

  it("tells a mailbox moved to Exchange Online (mailbox_in_cloud, placed in the cloud) from one that exists nowhere", async () => {
    const outcomes = await checkAll(onPremises());
    expect(categories(outcomes)).toEqual({
      "nina.admin": "mailbox_in_cloud",
      "oscar.onprem": "ok",
      "olivia.onprem": "ok",
      "otto.onprem": "ok",
      "clara.cloud": "mailbox_in_cloud",
      "colin.cloud": "mailbox_in_cloud",
      "cora.cloudonly": "no_mailbox",
      "mia.moving": "mailbox_moving",
      "noah.nomailbox": "no_mailbox",
    });
    const moved = outcomes.get("clara.cloud")!;
    expect(moved.placement).toEqual({
      where: "exchange_online",
      evidence:
        "On-premises Autodiscover redirects clara.cloud@northwind.lab to its cloud routing address clara.cloud@northwind.mail.onmicrosoft.com",
    });
    expect(moved.detail).toMatch(/^ErrorNonExistentMailbox: .*; On-premises Autodiscover redirects/);
    expect(moved.steps.map((step) => [step.step, step.category])).toEqual([
      ["GetFolder", "no_mailbox"],
      ["Autodiscover (where the mailbox lives)", "mailbox_in_cloud"],
    ]);
    // No redirect: the server's own answer stands, with what Autodiscover said as a step.
    const nowhere = outcomes.get("noah.nomailbox")!;
    expect(nowhere.placement).toBeUndefined();
    expect(nowhere.steps.at(-1)).toMatchObject({
      step: "Autodiscover (where the mailbox lives)",
      detail: "Autodiscover error 500: The email address can't be found.",
    });
    for (const [user, outcome] of outcomes) {
      if (outcome.category !== "mailbox_in_cloud") expect([user, outcome.placement]).toEqual([user, undefined]);
    }
  });

  it("asks Autodiscover only when EWS finds no mailbox", async () => {
    const before = harness.lab.stats.snapshot().autodiscoverRequests ?? 0;
    const driver = onPremises();
    await driver.checkUser({ email: "oscar.onprem@northwind.lab" }, "read", signal);
    await driver.checkUser({ email: "mia.moving@northwind.lab" }, "read", signal);
    expect((harness.lab.stats.snapshot().autodiscoverRequests ?? 0) - before).toBe(0);
    await driver.checkUser({ email: "colin.cloud@northwind.lab" }, "read", signal);
    expect((harness.lab.stats.snapshot().autodiscoverRequests ?? 0) - before).toBeGreaterThan(0);
  });
});

describe("the cloud profile (Graph app-only)", () => {
  it("finds a synced user's mailbox on-premises (mailbox_on_premises, placed on-premises); a cloud-only user is not", async () => {
    const outcomes = await checkAll(cloud());
    expect(categories(outcomes)).toEqual({
      "nina.admin": "ok",
      "oscar.onprem": "mailbox_on_premises",
      "olivia.onprem": "mailbox_on_premises",
      "otto.onprem": "mailbox_on_premises",
      "clara.cloud": "ok",
      "colin.cloud": "ok",
      "cora.cloudonly": "ok",
      "mia.moving": "mailbox_moving",
      // Graph cannot tell a synced user without a licence from one on-premises: the on-premises profile says
      // no_mailbox for him, and the engine, holding both, says no_profile.
      "noah.nomailbox": "mailbox_on_premises",
    });
    expect(outcomes.get("oscar.onprem")!.placement).toEqual({
      where: "on_premises",
      evidence:
        "Exchange Online holds no mailbox for oscar.onprem@northwind.lab (MailboxNotEnabledForRESTAPI), a user synced from on-premises Active Directory (onPremisesSyncEnabled)",
    });
    expect(outcomes.get("oscar.onprem")!.capabilities).toEqual({
      mail: "mailbox_on_premises",
      calendar: null,
      drafts: null,
    });
    expect(outcomes.get("mia.moving")!.placement).toBeUndefined();
    expect(outcomes.get("clara.cloud")!.placement).toBeUndefined();
  });
});

describe("a mailbox moved while the lab runs", () => {
  it("is mailbox_moving on both sides during the move, then in the cloud for the on-premises profile and ok for the cloud", async () => {
    const user = "otto.onprem@northwind.lab";
    await move(user, "cloud", "start");
    expect((await onPremises().checkUser({ email: user }, "read", signal)).category).toBe("mailbox_moving");
    expect((await cloud().checkUser({ email: user }, "read", signal)).category).toBe("mailbox_moving");

    await move(user, "cloud", "complete");
    const onPremisesAfter = await onPremises().checkUser({ email: user }, "read", signal);
    expect([onPremisesAfter.category, onPremisesAfter.placement?.where]).toEqual([
      "mailbox_in_cloud",
      "exchange_online",
    ]);
    expect((await cloud().checkUser({ email: user }, "read", signal)).category).toBe("ok");

    await move(user, "onprem", "complete");
    expect((await onPremises().checkUser({ email: user }, "read", signal)).category).toBe("ok");
    const cloudBack = await cloud().checkUser({ email: user }, "read", signal);
    expect([cloudBack.category, cloudBack.placement?.where]).toEqual(["mailbox_on_premises", "on_premises"]);
  });
});
