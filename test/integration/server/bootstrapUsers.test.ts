/** BOOTSTRAP_USERS_FILE: the demo organization is seeded with the lab's users once, and restarts keep what admins did. */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../../src/server/app.js";
import { loadConfig } from "../../../src/server/config.js";
import { openDatabase } from "../../../src/server/db/database.js";
import { createRepositories } from "../../../src/server/repositories.js";
import { Keyring, generateKeyEntry, parseKey } from "../../../src/server/secrets/keyring.js";

const ADMIN = "megan.bowen@contoso.lab";
const CSV = [
  "email,displayName,role",
  `${ADMIN},Megan Bowen,admin`,
  "alex.wilber@contoso.lab,Alex Wilber,user",
  '"lynne@contoso.lab","Robbins, Lynne",user',
  "lee.gu@contoso.lab,Lee Gu,user",
].join("\n");

let dir = "";
let usersFile = "";
const keyring = new Keyring([parseKey(generateKeyEntry("test1"))]);

function env(extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: "test",
    DATABASE_URL: path.join(dir, "backend.db"),
    SECRETS_KEY_FILE: path.join(dir, "keys.json"),
    LOG_LEVEL: "silent",
    BOOTSTRAP_ADMIN: ADMIN,
    BOOTSTRAP_ORG_NAME: "Contoso (Exchange lab)",
    BOOTSTRAP_USERS_FILE: usersFile,
    ...extra,
  };
}

/** Starts the backend on the folder's database, as `npm start` does after a restart, and stops it again. */
async function startAndStop(
  extra: Record<string, string> = {},
  meanwhile: (app: Awaited<ReturnType<typeof buildApp>>, orgId: string) => Promise<void> = async () => {},
): Promise<void> {
  const database = await openDatabase(path.join(dir, "backend.db"));
  const app = await buildApp(loadConfig(env(extra)), { database, keyring });
  await app.ready();
  try {
    const [membership] = await createRepositories(database.db, { keyring }).organizations.membershipsOf(ADMIN);
    await meanwhile(app, membership!.org.id);
  } finally {
    await app.close();
    await database.close();
  }
}

async function members(): Promise<Array<{ email: string; displayName: string; role: string }>> {
  const database = await openDatabase(path.join(dir, "backend.db"));
  try {
    const repos = createRepositories(database.db, { keyring });
    const [membership] = await repos.organizations.membershipsOf(ADMIN);
    const page = await repos.users.list(membership!.org.id, { limit: 100 });
    return page.items
      .map(({ email, displayName, role }) => ({ email, displayName, role }))
      .sort((a, b) => a.email.localeCompare(b.email));
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sync-sidebar-bootstrap-"));
  usersFile = path.join(dir, "demo-users.csv");
  await writeFile(usersFile, CSV);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the bootstrap organization's users", () => {
  it("are added from the file at the first start, next to the admin", async () => {
    await startAndStop();
    expect(await members()).toEqual([
      { email: "alex.wilber@contoso.lab", displayName: "Alex Wilber", role: "user" },
      { email: "lee.gu@contoso.lab", displayName: "Lee Gu", role: "user" },
      { email: "lynne@contoso.lab", displayName: "Robbins, Lynne", role: "user" },
      { email: ADMIN, displayName: "Megan Bowen", role: "admin" },
    ]);
  });

  it("are not added again after a restart, so an admin's removals and edits stay", async () => {
    const database = await openDatabase(path.join(dir, "backend.db"));
    const repos = createRepositories(database.db, { keyring });
    const [membership] = await repos.organizations.membershipsOf(ADMIN);
    const lee = await repos.users.findByEmail(membership!.org.id, "lee.gu@contoso.lab");
    await repos.users.remove(membership!.org.id, lee!.id);
    await database.close();

    await startAndStop();
    await startAndStop();

    expect((await members()).map((user) => user.email)).toEqual([
      "alex.wilber@contoso.lab",
      "lynne@contoso.lab",
      ADMIN,
    ]);
  });

  it("stop the start with the variable named: an unreadable file, no admin, a control character in the name", () => {
    expect(() => loadConfig(env({ BOOTSTRAP_USERS_FILE: path.join(dir, "missing.csv") }))).toThrow(
      /BOOTSTRAP_USERS_FILE must name a readable CSV file/,
    );
    expect(() => loadConfig(env({ BOOTSTRAP_ORG_NAME: "Contoso\u0000" }))).toThrow(
      /BOOTSTRAP_ORG_NAME contains a control character/,
    );
    const { BOOTSTRAP_ADMIN: _admin, ...withoutAdmin } = env();
    expect(() => loadConfig(withoutAdmin)).toThrow(/BOOTSTRAP_USERS_FILE.*needs BOOTSTRAP_ADMIN/);
  });
});

describe("the bootstrap organization's alert email", () => {
  // A relay that is never reached: these starts only read and write the settings.
  const smtp = { SMTP_HOST: "127.0.0.1", SMTP_PORT: "2525", SMTP_FROM: "sync-sidebar@contoso.lab" };

  it("goes to its admin once a relay is configured (npm start: the lab's catcher), and an admin's choice stays", async () => {
    await startAndStop(smtp, async (app, orgId) => {
      const channels = await app.ctx.monitoring.channels(orgId);
      expect(channels.email).toMatchObject({ enabled: true, recipients: [ADMIN], smtpConfigured: true });
      expect(channels.updatedBy).toBe("bootstrap");
      // The admin turns email off: the next start must not turn it on again.
      await app.ctx.monitoring.saveChannels(
        orgId,
        { email: { enabled: false, recipients: [] }, webhook: { enabled: false, url: null } },
        ADMIN,
      );
    });
    await startAndStop(smtp, async (app, orgId) => {
      expect((await app.ctx.monitoring.channels(orgId)).email).toMatchObject({ enabled: false, recipients: [] });
    });
  });
});
