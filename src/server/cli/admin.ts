/**
 * npm run admin -- <command>
 *   create-org --name "Contoso" --admin admin@contoso.com [--tenant <tenant GUID>] [--admin-name "Ada Admin"]
 *   add-admin --org <orgId> --email someone@contoso.com
 *   list-orgs
 * Works on the same DATABASE_URL as the server (migrating it first).
 */
import { parseArgs } from "node:util";
import { createOrganization } from "../bootstrap.js";
import { loadConfig } from "../config.js";
import { openDatabase } from "../db/database.js";
import { migrateToLatest } from "../domains.js";
import { createRepositories } from "../repositories.js";
import { loadKeyring } from "../secrets/keySource.js";
import { isEmailAddress } from "../../contract/emailAddress.js";
import { displayNameProblem } from "../../contract/displayName.js";
import { isGuid } from "../../contract/identifiers.js";

const USAGE = `Usage:
  npm run admin -- create-org --name <name> --admin <email> [--tenant <tenant GUID>] [--admin-name <name>]
  npm run admin -- add-admin --org <orgId> --email <email>
  npm run admin -- list-orgs`;

export class UsageError extends Error {}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value.trim() === "") throw new UsageError(`--${flag} is required\n${USAGE}`);
  return value.trim();
}

export async function runAdmin(argv: string[], env: Record<string, string | undefined> = process.env) {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: "string" },
      tenant: { type: "string" },
      admin: { type: "string" },
      "admin-name": { type: "string" },
      org: { type: "string" },
      email: { type: "string" },
    },
  });
  if (command !== "create-org" && command !== "add-admin" && command !== "list-orgs") throw new UsageError(USAGE);
  const config = loadConfig(env);
  const database = await openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(database.db);
    const repos = createRepositories(database.db, { keyring: loadKeyring(config, () => undefined).keyring });
    const actor = `cli:${env.USER ?? "admin"}`;
    if (command === "list-orgs") {
      return { orgs: await repos.organizations.list() };
    }
    if (command === "create-org") {
      const name = required(values.name, "name");
      const adminEmail = required(values.admin, "admin");
      const tenant = values.tenant?.trim() || null;
      if (!isEmailAddress(adminEmail)) throw new UsageError(`--admin must be an email address (got "${adminEmail}")`);
      if (tenant !== null && !isGuid(tenant)) throw new UsageError(`--tenant must be a tenant GUID (got "${tenant}")`);
      for (const [flag, value] of [
        ["name", name],
        ["admin-name", values["admin-name"]],
      ] as const) {
        const problem = value === undefined ? null : displayNameProblem(value);
        if (problem !== null) throw new UsageError(`--${flag} ${problem}`);
      }
      const { org, admin } = await createOrganization(
        repos,
        {
          name,
          tenantId: tenant,
          adminEmail,
          ...(values["admin-name"] ? { adminName: values["admin-name"] } : {}),
        },
        actor,
      );
      return { org, admin: { id: admin.id, email: admin.email, role: admin.role } };
    }
    const orgId = required(values.org, "org");
    const email = required(values.email, "email");
    if (!isEmailAddress(email)) throw new UsageError(`--email must be an email address (got "${email}")`);
    if (!(await repos.organizations.get(orgId))) throw new UsageError(`No organization ${orgId}`);
    return await repos.transaction(async (tx) => {
      const existing = await tx.users.findByEmail(orgId, email);
      if (existing) await tx.users.update(orgId, existing.id, { role: "admin" });
      const user = existing
        ? (await tx.users.get(orgId, existing.id))!
        : await tx.users.add(orgId, { email, displayName: email.split("@")[0] ?? email, role: "admin" }, actor);
      await tx.audit.record({ orgId, actor, action: "user.make_admin", target: user.email, after: { role: "admin" } });
      return { user: { id: user.id, email: user.email, role: user.role } };
    });
  } finally {
    await database.close();
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop() ?? "")) {
  runAdmin(process.argv.slice(2)).then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(error instanceof UsageError ? 2 : 1);
    },
  );
}
