/**
 * `npm run lab -- [--scenario FILE] [--users N [--mix ok=0.9,denied=0.1]] [--port P] [--host H] [--data-dir DIR]
 *  [--pane-url URL] [--smtp-port P]`
 * Starts the Exchange lab on loopback (its mail catcher on --smtp-port or LAB_SMTP_PORT, else a free port named in the ready line), prints exactly one JSON line on stdout when ready, runs until SIGINT/SIGTERM.
 * The CA, server certificate, signing key, effective scenario and ready line persist under --data-dir (./data/lab).
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fail, readArgs } from "./cli.js";
import { generateScenario, parseMix } from "./generate.js";
import { DEMO_SCENARIO_FILE, startLab } from "./index.js";
import { loadScenarioFile } from "./scenario.js";

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2), [
    "scenario",
    "users",
    "mix",
    "port",
    "host",
    "data-dir",
    "pane-url",
    "smtp-port",
  ]);
  const port = Number(args.get("port") ?? process.env.LAB_PORT ?? "4443");
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    fail(`--port must be a port number (got ${args.get("port")})`);
  const smtpPort = Number(args.get("smtp-port") ?? process.env.LAB_SMTP_PORT ?? "0");
  if (!Number.isInteger(smtpPort) || smtpPort < 0 || smtpPort > 65_535)
    fail(`--smtp-port must be a port number (got ${args.get("smtp-port")})`);
  const dataDir = path.resolve(args.get("data-dir") ?? process.env.LAB_DATA_DIR ?? "data/lab");
  let scenario = await loadScenarioFile(args.get("scenario") ?? DEMO_SCENARIO_FILE);
  const users = args.get("users");
  if (users !== undefined) {
    scenario = generateScenario({ users: Number(users), mix: parseMix(args.get("mix") ?? "ok=1"), base: scenario });
  } else if (args.has("mix")) {
    fail("--mix needs --users N");
  }
  const paneUrl = args.get("pane-url") ?? process.env.LAB_PANE_URL;
  const lab = await startLab({
    scenario,
    port,
    host: args.get("host") ?? "127.0.0.1",
    dataDir,
    smtpPort,
    ...(paneUrl ? { paneUrl } : {}),
  });
  await mkdir(dataDir, { recursive: true });
  // lab:token reads these to mint tokens the running lab accepts.
  await writeFile(path.join(dataDir, "scenario.json"), JSON.stringify(scenario, null, 2), { mode: 0o600 });
  await writeFile(path.join(dataDir, "ready.json"), JSON.stringify(lab.ready, null, 2));
  process.stdout.write(`${JSON.stringify(lab.ready)}\n`);
  process.stderr.write(
    `Exchange lab "${scenario.name}" (${scenario.mode}, ${scenario.users.length} users) at ${lab.baseUrl} (mail catcher on SMTP port ${lab.smtpPort}); trust ${lab.caCertFile}\n`,
  );
  const stop = (): void => {
    void lab.close().then(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => fail(`lab: ${(error as Error).message}`));
