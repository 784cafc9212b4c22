/**
 * Generates scenarios with N users and a chosen mix of outcomes (`--users 10000 --mix ok=0.9,denied=0.05,none=0.05`),
 * for load tests and benchmarks. Deterministic: the same arguments give the same organization.
 */
import { MAILBOX_STATES, parseScenario, type MailboxState, type Scenario, type ScenarioUser } from "./scenario.js";

/** Mix keys: every mailbox state, plus "denied" (a working mailbox outside the management scope). */
export const MIX_KEYS = [...MAILBOX_STATES, "denied"] as const;
export type MixKey = (typeof MIX_KEYS)[number];
export type Mix = Partial<Record<MixKey, number>>;

export function parseMix(text: string): Mix {
  const mix: Mix = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [key, value] = part.split("=");
    if (!key || !(MIX_KEYS as readonly string[]).includes(key)) {
      throw new Error(`--mix: unknown outcome "${key ?? part}"; use ${MIX_KEYS.join(", ")}`);
    }
    const share = Number(value);
    if (!Number.isFinite(share) || share < 0)
      throw new Error(`--mix: ${key} needs a non-negative number (got "${value ?? ""}")`);
    mix[key as MixKey] = share;
  }
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  if (total <= 0) throw new Error("--mix: the shares add up to zero");
  return mix;
}

/** Assigns outcomes by largest remainder so the counts match the shares exactly, spread evenly over the list. */
function outcomes(count: number, mix: Mix): MixKey[] {
  const entries = (Object.entries(mix) as Array<[MixKey, number]>).filter(([, share]) => share > 0);
  const total = entries.reduce((sum, [, share]) => sum + share, 0);
  const exact = entries.map(([key, share]) => ({ key, exact: (share / total) * count }));
  const counts = exact.map((e) => ({ key: e.key, n: Math.floor(e.exact), rest: e.exact - Math.floor(e.exact) }));
  let missing = count - counts.reduce((sum, c) => sum + c.n, 0);
  for (const c of [...counts].sort((a, b) => b.rest - a.rest)) {
    if (missing-- <= 0) break;
    c.n++;
  }
  const result: MixKey[] = [];
  // Interleave: user i takes the outcome whose quota is furthest behind, so any prefix mirrors the mix.
  const used = new Map(counts.map((c) => [c.key, 0]));
  for (let i = 0; i < count; i++) {
    let best: MixKey = counts[0]?.key ?? "ok";
    let bestLag = -Infinity;
    for (const c of counts) {
      const done = used.get(c.key) ?? 0;
      if (done >= c.n) continue;
      const lag = ((i + 1) * c.n) / count - done;
      if (lag > bestLag) {
        bestLag = lag;
        best = c.key;
      }
    }
    used.set(best, (used.get(best) ?? 0) + 1);
    result.push(best);
  }
  return result;
}

export interface GenerateOptions {
  users: number;
  mix?: Mix;
  /** The organization to add the users to (default: the demo scenario's settings with its users replaced). */
  base: Scenario;
}

export function generateScenario({ users, mix = { ok: 1 }, base }: GenerateOptions): Scenario {
  if (!Number.isInteger(users) || users < 1 || users > 200_000)
    throw new Error("--users must be an integer from 1 to 200000");
  const domain = base.domain;
  const generated: ScenarioUser[] = outcomes(users, mix).map((outcome, i) => {
    const n = String(i + 1).padStart(5, "0");
    const email = `user${n}@${domain}`;
    const mailbox: MailboxState = outcome === "denied" ? "ok" : outcome;
    const user: ScenarioUser = {
      email,
      displayName: `User ${n}`,
      password: `Lab-${n}-pass!`,
      mailbox,
      inManagementScope: outcome !== "denied",
      refresh: "ok",
    };
    if (mailbox === "alias") {
      user.email = `alias${n}@${domain}`;
      user.primarySmtpAddress = email;
    }
    return user;
  });
  return parseScenario(
    {
      ...base,
      name: `${base.name}-generated-${users}`,
      users: generated,
      // "denied" users fall outside the scope: the service accounts and apps must use the management scope.
      serviceAccounts: base.serviceAccounts.map((a) =>
        a.impersonation === "all" ? { ...a, impersonation: "scoped" } : a,
      ),
      apps: {
        ...base.apps,
        appOnly: base.apps.appOnly.map((a) => (a.mailboxScope === "all" ? { ...a, mailboxScope: "scoped" } : a)),
      },
    },
    "(generated)",
  );
}
