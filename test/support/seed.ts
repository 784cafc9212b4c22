/** Seeds an organization with N users straight into the database (fast enough for 100,000). */
import { randomUUID } from "node:crypto";
import type { Db } from "../../src/server/db/database.js";

export interface SeededOrg {
  id: string;
  userIds: string[];
  emails: string[];
}

export async function seedOrg(
  db: Db,
  users: number,
  options: { domain?: string; emailOf?: (index: number) => string; adminEmail?: string } = {},
): Promise<SeededOrg> {
  const id = randomUUID();
  const at = new Date().toISOString();
  await db
    .insertInto("organizations")
    .values({ id, name: `Org ${id.slice(0, 8)}`, tenant_id: null, created_at: at, created_by: "seed" })
    .execute();
  const domain = options.domain ?? "contoso.test";
  const emailOf = options.emailOf ?? ((index: number) => `user${index}@${domain}`);
  const userIds: string[] = [];
  const emails: string[] = [];
  const batch: Array<{
    id: string;
    org_id: string;
    email: string;
    email_normalized: string;
    display_name: string;
    role: "admin" | "user";
    added_by: string;
    added_at: string;
  }> = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await db.insertInto("org_users").values(batch).execute();
    batch.length = 0;
  };
  const admin = options.adminEmail;
  const total = users + (admin === undefined ? 0 : 1);
  for (let index = 0; index < total; index += 1) {
    const isAdmin = admin !== undefined && index === users;
    const email = isAdmin ? admin : emailOf(index);
    const userId = randomUUID();
    if (!isAdmin) {
      userIds.push(userId);
      emails.push(email);
    }
    batch.push({
      id: userId,
      org_id: id,
      email,
      email_normalized: email.toLowerCase(),
      display_name: `User ${index}`,
      role: isAdmin ? "admin" : "user",
      added_by: "seed",
      added_at: at,
    });
    if (batch.length === 1_000) await flush();
  }
  await flush();
  return { id, userIds, emails };
}

/** Adds these addresses to an existing organization's user list (a lab scenario's users), `admin` as its admin. */
export async function seedOrgUsers(db: Db, orgId: string, emails: readonly string[], admin: string): Promise<void> {
  const at = new Date().toISOString();
  await db
    .insertInto("org_users")
    .values(
      emails.map((email) => ({
        id: randomUUID(),
        org_id: orgId,
        email,
        email_normalized: email.toLowerCase(),
        display_name: email,
        role: email === admin ? ("admin" as const) : ("user" as const),
        added_by: "test",
        added_at: at,
      })),
    )
    .execute();
}
