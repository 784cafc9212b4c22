/** The hybrid scenario format: where each user's mailbox lives, who is synced, and the demo organization's profiles. */
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { DEMO_SCENARIO_FILE, ScenarioError, loadScenarioFile, parseScenario } from "../../../src/lab/index.js";

const HYBRID_FILE = new URL("../../../src/lab/scenarios/hybrid.json", import.meta.url).pathname;

const raw = async (file = HYBRID_FILE): Promise<Record<string, unknown> & { users: Array<Record<string, unknown>> }> =>
  JSON.parse(await readFile(file, "utf8")) as Record<string, unknown> & { users: Array<Record<string, unknown>> };

const problemsOf = (value: unknown): string[] => {
  try {
    parseScenario(value);
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error("the scenario was accepted");
};

describe("the hybrid scenario file", () => {
  it("places users on-premises by default, synced from Active Directory, and names two profiles with Automatic placement", async () => {
    const scenario = await loadScenarioFile(HYBRID_FILE);
    expect(scenario.mode).toBe("onprem");
    expect(scenario.ewsAuth).toEqual(["ntlm"]);
    expect(scenario.hybrid?.routingDomain).toBe("northwind.mail.onmicrosoft.com");
    const where = Object.fromEntries(scenario.users.map((u) => [u.email.split("@")[0], `${u.location}/${u.synced}`]));
    expect(where).toMatchObject({
      "oscar.onprem": "onprem/true",
      "clara.cloud": "cloud/true",
      "cora.cloudonly": "cloud/false",
      "mia.moving": "onprem/true",
    });
    expect(scenario.demoOrganization).toEqual({
      admin: "nina.admin@northwind.lab",
      placement: "automatic",
      profiles: [
        {
          name: "On-premises",
          accessType: "ews_basic_impersonation",
          serviceAccount: "svc-sync@northwind.lab",
          default: true,
        },
        {
          name: "Cloud",
          accessType: "graph_app_only",
          appClientId: "3dfd95b3-6e90-4b65-b311-899c149960bf",
          default: false,
        },
      ],
    });
  });

  it("leaves scenarios without hybrid as they were: no location, no synced flag", async () => {
    const demo = await loadScenarioFile(DEMO_SCENARIO_FILE);
    expect(demo.hybrid).toBeUndefined();
    expect(demo.users.every((u) => u.location === undefined && u.synced === undefined)).toBe(true);
  });
});

describe("hybrid fields, checked with the path of the field", () => {
  it("allows location and synced only in a hybrid scenario, and hybrid only on-premises", async () => {
    const demo = await raw(DEMO_SCENARIO_FILE);
    demo.users[0]!.location = "cloud";
    demo.users[1]!.synced = true;
    expect(problemsOf(demo)).toEqual([
      "users[0].location: is only allowed in a hybrid scenario",
      "users[1].synced: is only allowed in a hybrid scenario",
    ]);
    const online = { ...(await raw()), mode: "online" };
    expect(problemsOf(online)).toContain('hybrid: is only allowed when mode is "onprem"');
  });

  it("refuses a cloud-only user on-premises, an unknown place and a routing domain that is not one", async () => {
    const scenario = await raw();
    scenario.users[1]!.synced = false;
    scenario.users[2]!.location = "attic";
    scenario.hybrid = { routingDomain: "not a domain" };
    expect(problemsOf(scenario)).toEqual(
      expect.arrayContaining([
        'users[1].synced: a cloud-only user (synced false) needs location "cloud"',
        "users[2].location: must be one of onprem, cloud",
        "hybrid.routingDomain: must be a DNS domain such as contoso.mail.onmicrosoft.com",
      ]),
    );
  });

  it("checks the demo organization's profiles against what the lab holds", async () => {
    const scenario = await raw();
    scenario.demoOrganization = {
      admin: "nobody@northwind.lab",
      profiles: [
        { name: "On-premises", accessType: "ews_basic_impersonation", serviceAccount: "nobody@northwind.lab" },
        { name: "on-premises ", accessType: "graph_app_only", appClientId: "00000000-0000-4000-8000-000000000000" },
        { name: "Cloud", accessType: "graph_app_only", serviceAccount: "svc-sync@northwind.lab" },
      ],
    };
    expect(problemsOf(scenario)).toEqual([
      "demoOrganization.profiles: must mark exactly one profile default",
      "demoOrganization.admin: names no entry of users (nobody@northwind.lab)",
      "demoOrganization.profiles[0].serviceAccount: names no entry of serviceAccounts (nobody@northwind.lab)",
      "demoOrganization.profiles[1].name: duplicates the profile name on-premises ",
      "demoOrganization.profiles[1].appClientId: names no entry of apps.appOnly (00000000-0000-4000-8000-000000000000)",
      "demoOrganization.profiles[2].appClientId: is required for graph_app_only",
      "demoOrganization.profiles[2].serviceAccount: is only for the EWS access types",
    ]);
  });
});
