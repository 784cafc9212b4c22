/**
 * `npm run lab:token -- --user EMAIL [--audience AUD] [--scopes "A B"]` or `-- --app CLIENT_ID [--audience AUD]`
 * Prints an access token for scripts. It signs with the key the lab persists (./data/lab/signing-key.json, or
 * --data-dir) for the issuer in ./data/lab/ready.json, so a lab started by `npm run lab` accepts it; the lab need
 * not be running.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fail, readArgs } from "./cli.js";
import { objectIdFor } from "./directory.js";
import { mintAccessToken, readSigningKey } from "./identity/keys.js";
import type { LabReadyLine } from "./index.js";
import { parseScenario } from "./scenario.js";

const EWS = "https://outlook.office365.com";

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2), ["user", "app", "audience", "scopes", "lifetime", "data-dir"]);
  const dataDir = path.resolve(args.get("data-dir") ?? process.env.LAB_DATA_DIR ?? "data/lab");
  let ready: LabReadyLine;
  try {
    ready = JSON.parse(await readFile(path.join(dataDir, "ready.json"), "utf8")) as LabReadyLine;
  } catch {
    return fail(`no lab state in ${dataDir}: start the lab once with npm run lab`);
  }
  const scenario = parseScenario(
    JSON.parse(await readFile(path.join(dataDir, "scenario.json"), "utf8")),
    path.join(dataDir, "scenario.json"),
  );
  const key = await readSigningKey(path.join(dataDir, "signing-key.json"));
  const audience = args.get("audience") ?? EWS;
  const lifetimeSeconds = Number(args.get("lifetime") ?? scenario.tokens.accessTokenSeconds);
  const user = args.get("user")?.toLowerCase();
  const appId = args.get("app");
  if (!user === !appId) fail("give exactly one of --user EMAIL or --app CLIENT_ID");
  let token: string;
  if (user) {
    const entry = [...scenario.users, ...scenario.serviceAccounts].find((u) => u.email === user);
    if (!entry) fail(`no user ${user} in scenario ${scenario.name}`);
    const defaultScope =
      audience === EWS
        ? "EWS.AccessAsUser.All"
        : audience === scenario.apps.backend.clientId
          ? "access_as_user"
          : "User.Read";
    token = await mintAccessToken(key, {
      issuer: ready.issuer,
      tenantId: ready.tenantId,
      audience,
      clientId: scenario.apps.backend.clientId,
      lifetimeSeconds,
      user: { oid: objectIdFor(scenario.tenantId, entry.email), email: entry.email, name: entry.displayName },
      scp: args.get("scopes") ?? defaultScope,
    });
  } else {
    const app = scenario.apps.appOnly.find((a) => a.clientId === appId);
    if (!app) fail(`no app-only registration ${appId ?? ""} in scenario ${scenario.name}`);
    token = await mintAccessToken(key, {
      issuer: ready.issuer,
      tenantId: ready.tenantId,
      audience,
      clientId: app.clientId,
      lifetimeSeconds,
      roles: args.get("scopes")?.split(" ") ?? app.roles[audience] ?? [],
    });
  }
  process.stdout.write(`${token}\n`);
}

main().catch((error: unknown) => fail(`lab:token: ${(error as Error).message}`));
