/**
 * BOOTSTRAP_PROFILES_FILE (the hybrid demo of `LAB_SCENARIO=src/lab/scenarios/hybrid.json npm start`): the demo
 * organization starts with its connection profiles configured and Automatic placement, once; restarts keep what an
 * admin changed; secrets are sealed and never logged; a file the API would refuse is reported and the server starts.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../src/server/app.js";
import { loadConfig } from "../../../src/server/config.js";
import { openDatabase } from "../../../src/server/db/database.js";
import { renameProfile } from "../../../src/server/profiles/service.js";
import { createRepositories } from "../../../src/server/repositories.js";
import { Keyring, generateKeyEntry, parseKey } from "../../../src/server/secrets/keyring.js";
import { configError } from "../../support/configError.js";

const ADMIN = "nina.admin@northwind.lab";
const TENANT = "1883be78-5524-49da-9187-b4e534c322a6";
const APP = "3dfd95b3-6e90-4b65-b311-899c149960bf";
const PASSWORD = "Sync-Lab-2026!";
const SECRET = "lab-hybrid-graph-secret";

const SEED = {
  profiles: [
    {
      name: "On-premises",
      default: true,
      config: {
        accessType: "ews_basic_impersonation",
        ewsUrl: "https://mail.northwind.lab/EWS/Exchange.asmx",
        accountLogon: "svc-sync@northwind.lab",
        password: PASSWORD,
      },
    },
    {
      name: "Cloud",
      config: { accessType: "graph_app_only", appOnly: { tenantId: TENANT, clientId: APP, clientSecret: SECRET } },
    },
  ],
  placement: "automatic",
};

let dir = "";
const keyring = new Keyring([parseKey(generateKeyEntry("test1"))]);

async function seedFile(name: string, content: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, typeof content === "string" ? content : JSON.stringify(content));
  return file;
}

function env(db: string, profilesFile: string): Record<string, string> {
  return {
    NODE_ENV: "test",
    DATABASE_URL: path.join(dir, db),
    SECRETS_KEY_FILE: path.join(dir, "keys.json"),
    LOG_LEVEL: "info",
    BOOTSTRAP_ADMIN: ADMIN,
    BOOTSTRAP_ORG_NAME: "northwind.lab (Exchange lab)",
    BOOTSTRAP_TENANT_ID: TENANT,
    BOOTSTRAP_PROFILES_FILE: profilesFile,
    // As npm start points the backend at the lab: the on-premises server's name resolves to loopback.
    OUTBOUND_HOST_OVERRIDES: "mail.northwind.lab=127.0.0.1:9",
  };
}

/** Starts the backend on `db` as `npm start` does, runs `meanwhile` on its organization, and stops it; returns its log. */
async function startAndStop(
  db: string,
  profilesFile: string,
  meanwhile: (repos: ReturnType<typeof createRepositories>, orgId: string) => Promise<void> = async () => {},
): Promise<string> {
  const database = await openDatabase(path.join(dir, db));
  const lines: string[] = [];
  const app = await buildApp(loadConfig(env(db, profilesFile)), {
    database,
    keyring,
    logger: { level: "info", stream: { write: (line: string) => void lines.push(line) } },
  });
  await app.ready();
  try {
    const repos = createRepositories(database.db, { keyring });
    const [membership] = await repos.organizations.membershipsOf(ADMIN);
    await meanwhile(repos, membership!.org.id);
  } finally {
    await app.close();
    await database.close();
  }
  return lines.join("");
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sync-sidebar-bootstrap-profiles-"));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the bootstrap organization's connection profiles", () => {
  it("are configured at the first start: On-premises the default, Cloud beside it, Automatic placement", async () => {
    const file = await seedFile("profiles.json", SEED);
    const log = await startAndStop("hybrid.db", file, async (repos, orgId) => {
      const profiles = await repos.emailConfigs.list(orgId);
      expect(
        profiles.map(({ name, isDefault, accessType, ewsUrl, accountLogon, hasPassword }) => ({
          name,
          isDefault,
          accessType,
          ewsUrl,
          accountLogon,
          hasPassword,
        })),
      ).toEqual([
        {
          name: "On-premises",
          isDefault: true,
          accessType: "ews_basic_impersonation",
          ewsUrl: "https://mail.northwind.lab/EWS/Exchange.asmx",
          accountLogon: "svc-sync@northwind.lab",
          hasPassword: true,
        },
        {
          name: "Cloud",
          isDefault: false,
          accessType: "graph_app_only",
          ewsUrl: null,
          accountLogon: null,
          hasPassword: false,
        },
      ]);
      const cloud = profiles.find((profile) => profile.name === "Cloud")!;
      expect(cloud.appOnly).toMatchObject({ tenantId: TENANT, clientId: APP, hasClientSecret: true });
      expect((await repos.profilePlacement.get(orgId)).automatic).toBe(true);
      // Sealed at rest, and open again for the check runner.
      expect(await repos.emailConfigs.credentials(orgId)).toMatchObject({ password: PASSWORD });
      expect(await repos.emailConfigs.profileCredentials(orgId, cloud.profileId)).toMatchObject({
        clientSecret: SECRET,
      });
    });
    expect(log).toContain("configured the bootstrap profiles");
    expect(log).not.toContain(PASSWORD);
    expect(log).not.toContain(SECRET);
    const stored = await readFile(path.join(dir, "hybrid.db"));
    expect(stored.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(stored.includes(Buffer.from(SECRET))).toBe(false);
  });

  it("are left as an admin changed them at the next start", async () => {
    const file = await seedFile("profiles.json", SEED);
    await startAndStop("hybrid.db", file, async (repos, orgId) => {
      const cloud = (await repos.emailConfigs.list(orgId)).find((profile) => profile.name === "Cloud")!;
      await renameProfile(repos, {
        orgId,
        profileId: cloud.profileId,
        name: "Exchange Online",
        expectedVersion: cloud.version,
        actor: ADMIN,
      });
    });
    const log = await startAndStop("hybrid.db", file, async (repos, orgId) => {
      expect((await repos.emailConfigs.list(orgId)).map((profile) => profile.name)).toEqual([
        "On-premises",
        "Exchange Online",
      ]);
    });
    expect(log).not.toContain("configured the bootstrap profiles");
  });

  it("that the API would refuse are reported, naming the field, and the server starts without them", async () => {
    const file = await seedFile("refused.json", {
      ...SEED,
      profiles: [{ ...SEED.profiles[0], config: { accessType: "ews_basic_impersonation", ewsUrl: "http://x" } }],
    });
    const log = await startAndStop("refused.db", file, async (repos, orgId) => {
      const [profile] = await repos.emailConfigs.list(orgId);
      expect(profile).toMatchObject({ name: "Default", accessType: null });
    });
    expect(log).toContain("BOOTSTRAP_PROFILES_FILE: the profiles were not configured");
    expect(log).toContain("ewsUrl");
  });
});

describe("BOOTSTRAP_PROFILES_FILE", () => {
  it.each([
    ["not JSON", "{", /readable JSON file/],
    ["no default profile", { profiles: [{ ...SEED.profiles[1] }] }, /exactly one profile as the default \(0 are\)/],
    [
      "two defaults",
      { profiles: [SEED.profiles[0], { ...SEED.profiles[1], default: true }] },
      /exactly one profile as the default \(2 are\)/,
    ],
    ["a profile without a name", { profiles: [{ default: true, config: { accessType: "x" } }] }, /\/profiles\/0/],
    ["an unknown placement", { ...SEED, placement: "by-magic" }, /\/placement/],
  ])("refuses %s, naming the variable and never a secret", async (_case, content, message) => {
    const file = await seedFile("bad.json", content);
    const error = configError({ BOOTSTRAP_ADMIN: ADMIN, BOOTSTRAP_PROFILES_FILE: file });
    expect(error.variable).toBe("BOOTSTRAP_PROFILES_FILE");
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(PASSWORD);
  });

  it("needs BOOTSTRAP_ADMIN", async () => {
    const file = await seedFile("profiles.json", SEED);
    expect(configError({ BOOTSTRAP_PROFILES_FILE: file }).message).toMatch(/needs BOOTSTRAP_ADMIN/);
  });
});
