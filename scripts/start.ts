// `npm start`: the whole product for development, with prefixed output; Ctrl+C (or any service exiting) stops all.
// With no real tenant configured (TOKEN_ISSUERS unset) the Exchange lab starts first as the default mailbox server
// and identity provider, and the backend is pointed at it with a demo organization; otherwise the backend uses the
// environment as given and no lab runs.
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { backendEnvForLab, paneAuthEnvForLab } from "./labEnv.js";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const tsx = path.join(projectRoot, "node_modules", "tsx", "dist", "cli.mjs");
const vite = path.join(projectRoot, "node_modules", "vite", "bin", "vite.js");
const LAB_DATA_DIR = path.join(projectRoot, "data", "lab");
const DEMO_ADMIN = process.env.DEMO_ADMIN ?? "megan.bowen@contoso.lab";

interface LabReady {
  baseUrl: string;
  issuer: string;
  jwksUri: string;
  authority: string;
  caCertFile: string;
  backendClientId: string;
  hostOverrides: Record<string, string>;
  ewsScope: string;
  graphScope: string;
  spaClientId: string;
  apiScope: string;
  tenantId: string;
  domain: string;
}

const children = new Map<string, ChildProcess>();
let stopping = false;

function prefixLines(name: string, chunk: Buffer, write: (text: string) => void): void {
  for (const line of chunk.toString().split(/\r?\n/)) if (line.trim() !== "") write(`[${name}] ${line}\n`);
}

function stopAll(exitCode: number): void {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) if (child.exitCode === null) child.kill("SIGTERM");
  process.exitCode = exitCode;
}

function run(name: string, args: string[], env: NodeJS.ProcessEnv, pipeStdout = true): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  children.set(name, child);
  if (pipeStdout) child.stdout?.on("data", (chunk: Buffer) => prefixLines(name, chunk, (t) => process.stdout.write(t)));
  child.stderr?.on("data", (chunk: Buffer) => prefixLines(name, chunk, (t) => process.stderr.write(t)));
  child.on("exit", (code, signal) => {
    if (!stopping) console.error(`[${name}] exited (${signal ?? code}); stopping the others`);
    stopAll(code ?? 1);
  });
  return child;
}

/** Starts the lab and resolves with its one ready line (the rest of its stdout is passed through). */
function startLab(): Promise<LabReady> {
  const child = run("lab", [tsx, "src/lab/main.ts", "--data-dir", LAB_DATA_DIR], process.env, false);
  return new Promise((resolve, reject) => {
    let ready = false;
    const lines = createInterface({ input: child.stdout! });
    lines.on("line", (line) => {
      if (ready) return void process.stdout.write(`[lab] ${line}\n`);
      ready = true;
      try {
        resolve(JSON.parse(line) as LabReady);
      } catch {
        reject(new Error(`the lab printed something other than its ready line: ${line.slice(0, 200)}`));
      }
    });
    child.once("exit", () => {
      if (!ready) reject(new Error("the lab stopped before it was ready (see its output above)"));
    });
  });
}

async function backendEnvironment(): Promise<{ env: NodeJS.ProcessEnv; lab: LabReady | null }> {
  if (process.env.TOKEN_ISSUERS) return { env: { ...process.env }, lab: null };
  const lab = await startLab();
  // The backend's confidential-client secret lives in the lab's effective scenario, not in its ready line.
  const scenario = JSON.parse(await readFile(path.join(LAB_DATA_DIR, "scenario.json"), "utf8")) as {
    apps: { backend: { secret: string } };
  };
  const env: NodeJS.ProcessEnv = {
    ...backendEnvForLab({
      ...lab,
      port: Number(new URL(lab.baseUrl).port),
      backendClientSecret: scenario.apps.backend.secret,
    }),
    ...paneAuthEnvForLab(lab),
    BOOTSTRAP_ADMIN: DEMO_ADMIN,
    BOOTSTRAP_ORG_NAME: "Contoso (Exchange lab)",
    BOOTSTRAP_TENANT_ID: lab.tenantId,
    // Whatever the developer set explicitly wins over the lab defaults.
    ...process.env,
  };
  return { env, lab };
}

async function main(): Promise<void> {
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  const { env, lab } = await backendEnvironment();
  if (stopping) return;
  run("backend", [tsx, "src/server/main.ts"], env);
  run("pane", [vite], process.env);
  console.log("start: the pane is at https://localhost:3000/taskpane.html (browser preview outside Outlook)");
  if (lab) {
    console.log(
      `start: Exchange lab "${lab.domain}" at ${lab.baseUrl}: open it once in your browser to accept its certificate ` +
        `(CA: ${lab.caCertFile}); sign in as ${DEMO_ADMIN} / Lab-Passw0rd! (admin) or alex.wilber@contoso.lab (user)`,
    );
  } else {
    console.log("start: TOKEN_ISSUERS is set, so no Exchange lab was started; the backend uses your tenant settings");
  }
  console.log("start: Ctrl+C stops everything");
}

main().catch((error: unknown) => {
  console.error(`start: ${(error as Error).message}`);
  stopAll(1);
});
