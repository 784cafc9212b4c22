import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  DEMO_SCENARIO_FILE,
  ScenarioError,
  generateScenario,
  loadScenarioFile,
  parseMix,
  parseScenario,
} from "../../../src/lab/index.js";

const demoRaw = async (): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(DEMO_SCENARIO_FILE, "utf8")) as Record<string, unknown>;

/** Sets (or with `undefined`, deletes) the field at a dotted path such as "users.3.mailbox". */
function edit(raw: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split(".");
  const last = keys.pop()!;
  let node = raw;
  for (const key of keys) node = node[key] as Record<string, unknown>;
  if (value === undefined) delete node[last];
  else node[last] = value;
}
const problemsOf = (raw: unknown): string[] => {
  try {
    parseScenario(raw);
  } catch (error) {
    if (error instanceof ScenarioError) return error.problems;
    throw error;
  }
  throw new Error("the scenario was accepted");
};

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe("scenario files", () => {
  it("loads every shipped scenario", async () => {
    const folder = path.dirname(DEMO_SCENARIO_FILE);
    const files = (await readdir(folder)).filter((f) => f.endsWith(".json"));
    expect(files).toEqual(expect.arrayContaining(["demo.json", "online.json", "faults.json"]));
    for (const file of files)
      await expect(loadScenarioFile(path.join(folder, file))).resolves.toMatchObject({ tenantId: expect.any(String) });
  });

  it("fills defaults: budget 27, no latency, users in scope with working refresh", async () => {
    const raw = await demoRaw();
    edit(raw, "throttling", undefined);
    edit(raw, "latencyMs", undefined);
    const scenario = parseScenario(raw);
    expect(scenario.throttling.budget).toBe(27);
    expect(scenario.latencyMs).toEqual({ min: 0, max: 0 });
    expect(scenario.users[0]).toMatchObject({ inManagementScope: true, refresh: "ok" });
  });

  it("names the path of a bad mailbox state and lists the allowed values", async () => {
    const raw = await demoRaw();
    edit(raw, "users.3.mailbox", "gone");
    expect(problemsOf(raw)).toContain(
      "users[3].mailbox: must be one of ok, none, disabled, moving, unavailable, alias, unresolved, kiosk",
    );
  });

  it("reports every problem at once, each with its path", async () => {
    const raw = await demoRaw();
    edit(raw, "tenantId", "contoso");
    edit(raw, "mode", "cloud");
    edit(raw, "users.0.email", "not-an-email");
    edit(raw, "users.1.colour", "blue");
    edit(raw, "serviceAccounts.0.impersonation", "some");
    edit(raw, "apps.appOnly.0.secret", undefined);
    edit(raw, "faults", [{ kind: "explode", rate: 2 }]);
    edit(raw, "throttling.budget", 0);
    edit(raw, "serviceAccounts.0.ewsBudget", 0);
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([
        "tenantId: must be a GUID",
        "mode: must be one of online, onprem",
        "users[0].email: must be an email address",
        "users[1].colour: is not a known field",
        'serviceAccounts[0].impersonation: must be "all", "none", "scoped" or an array of email addresses',
        "apps.appOnly[0]: needs a secret or a certificatePem",
        "faults[0].kind: must be one of http500, reset, truncated, malformed, noAnswer, throttle",
        "faults[0].rate: must be a number from 0 to 1",
        "throttling.budget: must be an integer from 1 to 10000",
        "serviceAccounts[0].ewsBudget: must be an integer from 1 to 10000",
      ]),
    );
  });

  it("reports a broken field once, not every field inside it, and ignores $-prefixed keys", async () => {
    const raw = await demoRaw();
    edit(raw, "apps.spa", "not an object");
    edit(raw, "users.2", 42);
    edit(raw, "$comment", "hand-edited");
    edit(raw, "users.0.$note", "kept out of the check");
    const problems = problemsOf(raw);
    expect(problems).toEqual(expect.arrayContaining(["apps.spa: must be an object", "users[2]: must be an object"]));
    expect(problems.filter((p) => p.startsWith("apps.spa"))).toHaveLength(1);
    expect(problems.filter((p) => p.startsWith("users[2]"))).toHaveLength(1);
    expect(problems.some((p) => p.includes("$"))).toBe(false);
  });

  it("lower-cases addresses and fills defaults that depend on another field", async () => {
    const raw = await demoRaw();
    edit(raw, "users.0.email", "Alex.Wilber@Contoso.LAB");
    edit(raw, "users.0.displayName", undefined);
    edit(raw, "faults", [{ kind: "http500", users: ["Alex.Wilber@contoso.lab"] }, { kind: "reset" }]);
    const scenario = parseScenario(raw);
    expect(scenario.users[0]).toMatchObject({ email: "alex.wilber@contoso.lab", displayName: "alex.wilber" });
    expect(scenario.faults).toEqual([
      { kind: "http500", users: ["alex.wilber@contoso.lab"], rate: 1, service: "any" },
      { kind: "reset", rate: 0, service: "any" },
    ]);
  });

  it("reads the Exchange Online fields and names the path of each bad one", async () => {
    const raw = await demoRaw();
    edit(raw, "apps.appOnly.0.tenantWideConsent", ["Mail.Read"]);
    edit(raw, "apps.appOnly.0.calendarScope", "scoped");
    edit(raw, "apps.appOnly.0.credentialFailure", "secretExpired");
    edit(raw, "users.0.graphThrottled", { times: 2, retryAfterSeconds: 0.75 });
    edit(raw, "users.0.ewsEnabled", false);
    edit(raw, "ewsAllowedAppIds", ["9D4F1A7C-2E6B-4C83-B5A9-0E7D3C8F1B26"]);
    const scenario = parseScenario(raw);
    expect(scenario.apps.appOnly[0]).toMatchObject({
      tenantWideConsent: ["Mail.Read"],
      calendarScope: "scoped",
      credentialFailure: "secretExpired",
    });
    expect(scenario.users[0]).toMatchObject({
      graphThrottled: { times: 2, retryAfterSeconds: 0.75 },
      ewsEnabled: false,
    });
    expect(scenario.ewsAllowedAppIds).toEqual(["9d4f1a7c-2e6b-4c83-b5a9-0e7d3c8f1b26"]);
    expect(scenario.apps.appOnly[1]?.tenantWideConsent ?? []).toEqual([]);

    edit(raw, "apps.appOnly.0.credentialFailure", "lost");
    edit(raw, "users.0.graphThrottled", { times: 0, retryAfterSeconds: -1, burst: true });
    edit(raw, "ewsAllowedAppIds", ["not-a-guid"]);
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([
        "apps.appOnly[0].credentialFailure: must be one of secretExpired, conditionalAccess",
        "users[0].graphThrottled.burst: is not a known field",
        "users[0].graphThrottled.times: must be an integer from 1 to 1000000",
        "users[0].graphThrottled.retryAfterSeconds: must be a number from 0 to 3600",
        "ewsAllowedAppIds[0]: must be a GUID",
      ]),
    );
  });

  it("checks cross-references: duplicate addresses, unknown room lists, aliases without a primary", async () => {
    const raw = await demoRaw();
    edit(raw, "users.1.email", "alex.wilber@contoso.lab");
    edit(raw, "rooms.0.roomList", "nowhere@contoso.lab");
    expect(problemsOf(raw)).toEqual(
      expect.arrayContaining([
        "users[1].email: duplicates the address of users[0].email",
        "rooms[0].roomList: names no entry of roomLists (nowhere@contoso.lab)",
      ]),
    );
    const alias = await demoRaw();
    edit(alias, "users.7.primarySmtpAddress", undefined);
    expect(problemsOf(alias)).toContain("users[7].primarySmtpAddress: must be an email address");
  });

  it("rejects a file that is not JSON with the file name and the parser's reason", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "lab-scenario-"));
    dirs.push(dir);
    const file = path.join(dir, "broken.json");
    await writeFile(file, '{ "name": "broken", ');
    await expect(loadScenarioFile(file)).rejects.toThrow(new RegExp(`invalid scenario ${file}:\\n  is not valid JSON`));
    await expect(loadScenarioFile(path.join(dir, "missing.json"))).rejects.toThrow(/cannot read the file/);
  });
});

describe("the scenario generator", () => {
  it("generates N users whose outcomes match the mix exactly", async () => {
    const base = parseScenario(await demoRaw());
    const scenario = generateScenario({ users: 1000, mix: parseMix("ok=0.9,denied=0.05,none=0.03,alias=0.02"), base });
    expect(scenario.users).toHaveLength(1000);
    const count = (predicate: (u: (typeof scenario.users)[number]) => boolean) =>
      scenario.users.filter(predicate).length;
    expect(count((u) => u.mailbox === "ok" && u.inManagementScope)).toBe(900);
    expect(count((u) => !u.inManagementScope)).toBe(50);
    expect(count((u) => u.mailbox === "none")).toBe(30);
    expect(count((u) => u.mailbox === "alias" && u.primarySmtpAddress !== undefined)).toBe(20);
    expect(scenario.serviceAccounts[0]!.impersonation).toBe("scoped");
    // Any prefix mirrors the mix, so a partial run sees every outcome.
    expect(new Set(scenario.users.slice(0, 100).map((u) => (u.inManagementScope ? u.mailbox : "denied")))).toEqual(
      new Set(["ok", "denied", "none", "alias"]),
    );
  });

  it("rejects unknown outcomes and meaningless shares in --mix", () => {
    expect(() => parseMix("ok=0.9,broken=0.1")).toThrow(/unknown outcome "broken"/);
    expect(() => parseMix("ok=abc")).toThrow(/ok needs a non-negative number/);
    expect(() => parseMix("ok=0")).toThrow(/add up to zero/);
  });
});
