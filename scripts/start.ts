// `npm start`: the whole product for development, with prefixed output; Ctrl+C (or any service exiting) stops all.
// With no real tenant configured (TOKEN_ISSUERS unset) the Exchange lab starts first as the default mailbox server
// and identity provider, and the backend is pointed at it with a demo organization holding the lab's users;
// otherwise the backend uses the environment as given and no lab runs.
// Ports and the data folder can be moved (LAB_PORT, PORT, PANE_PORT, DATA_DIR): its browser test runs it that way.
// LAB_SCENARIO plays another scenario file (with DEMO_ADMIN one of its users and a DATA_DIR of its own).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { backendEnvForLab, paneAuthEnvForLab } from "./labEnv.js";
import { formatLogLine } from "./logLines.js";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const tsx = path.join(projectRoot, "node_modules", "tsx", "dist", "cli.mjs");
const vite = path.join(projectRoot, "node_modules", "vite", "bin", "vite.js");
const DATA_DIR = path.resolve(projectRoot, process.env.DATA_DIR ?? "data");
const LAB_DATA_DIR = path.join(DATA_DIR, "lab");
const DEMO_ADMIN = process.env.DEMO_ADMIN ?? "megan.bowen@contoso.lab";
const LAB_PORT = process.env.LAB_PORT ?? "4443";
const BACKEND_PORT = process.env.PORT ?? "3001";
const PANE_PORT = process.env.PANE_PORT ?? "3000";
const PANE_ORIGIN = `https://localhost:${PANE_PORT}`;
const PANE_URL = `${PANE_ORIGIN}/taskpane.html`;

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
  smtpHost: string;
  smtpPort: number;
}

const children = new Map<string, ChildProcess>();
let stopping = false;

function prefixLines(name: string, chunk: Buffer, write: (text: string) => void): void {
  for (const line of chunk.toString().split(/\r?\n/)) {
    if (line.trim() !== "") write(`[${name}] ${formatLogLine(line)}\n`);
  }
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
  const child = run(
    "lab",
    [
      tsx,
      "src/lab/main.ts",
      "--data-dir",
      LAB_DATA_DIR,
      "--port",
      LAB_PORT,
      "--pane-url",
      PANE_URL,
      ...(process.env.LAB_SCENARIO ? ["--scenario", process.env.LAB_SCENARIO] : []),
    ],
    process.env,
    false,
  );
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

interface LabUser {
  email: string;
  displayName: string;
}

/** The lab's users as the import CSV the backend seeds its demo organization with (once; see bootstrap.ts). */
async function writeDemoUsers(users: readonly LabUser[]): Promise<string> {
  const file = path.join(DATA_DIR, "demo-users.csv");
  const quote = (value: string): string => `"${value.replace(/"/g, '""')}"`;
  const rows = users.map((user) =>
    [user.email, user.displayName, user.email === DEMO_ADMIN ? "admin" : "user"].map(quote).join(","),
  );
  await writeFile(file, ["email,displayName,role", ...rows].join("\n") + "\n");
  return file;
}

interface Environments {
  backend: NodeJS.ProcessEnv;
  pane: NodeJS.ProcessEnv;
  lab: LabReady | null;
}

async function environments(): Promise<Environments> {
  await mkdir(DATA_DIR, { recursive: true });
  const pane: NodeJS.ProcessEnv = {
    ...process.env,
    PANE_PORT,
    BACKEND_URL: `http://127.0.0.1:${BACKEND_PORT}`,
  };
  const shared = {
    PORT: BACKEND_PORT,
    DATABASE_URL: path.join(DATA_DIR, "sync-sidebar.db"),
    SECRETS_KEY_FILE: path.join(DATA_DIR, "secrets-keys.json"),
    ALLOWED_ORIGINS: PANE_ORIGIN,
    // Alert email links back to the pane's Health tab.
    PANE_URL,
    // Warnings and errors only; LOG_LEVEL=info adds a line per request.
    LOG_LEVEL: "warn",
  };
  if (process.env.TOKEN_ISSUERS) return { backend: { ...shared, ...process.env }, pane, lab: null };
  const lab = await startLab();
  // The backend's confidential-client secret lives in the lab's effective scenario, not in its ready line.
  const scenario = JSON.parse(await readFile(path.join(LAB_DATA_DIR, "scenario.json"), "utf8")) as {
    apps: { backend: { secret: string } };
    users: LabUser[];
    canaries?: Array<{ email: string }>;
  };
  const admin = scenario.users.find((user) => user.email === DEMO_ADMIN);
  const backend: NodeJS.ProcessEnv = {
    ...shared,
    ...backendEnvForLab({
      ...lab,
      port: Number(new URL(lab.baseUrl).port),
      backendClientSecret: scenario.apps.backend.secret,
    }),
    ...paneAuthEnvForLab(lab),
    BOOTSTRAP_ADMIN: DEMO_ADMIN,
    BOOTSTRAP_ORG_NAME: process.env.LAB_SCENARIO ? `${lab.domain} (Exchange lab)` : "Contoso (Exchange lab)",
    BOOTSTRAP_TENANT_ID: lab.tenantId,
    BOOTSTRAP_USERS_FILE: await writeDemoUsers(scenario.users),
    // The lab's mailboxes kept outside the scope on purpose: every check probes them and expects a refusal.
    BOOTSTRAP_CANARIES: (scenario.canaries ?? []).map((canary) => canary.email).join(","),
    // Alert email goes to the lab's mail catcher unless a real relay is configured.
    ...(process.env.SMTP_HOST
      ? {}
      : { SMTP_HOST: lab.smtpHost, SMTP_PORT: String(lab.smtpPort), SMTP_FROM: "sync-sidebar@contoso.lab" }),
    // Whatever the developer set explicitly wins over the lab defaults.
    ...process.env,
  };
  // The preview's mailbox is the lab's demo admin, so the pane shows one identity before and after sign-in.
  if (admin) pane.VITE_PREVIEW_MAILBOX = `${admin.displayName} <${admin.email}>`;
  return { backend, pane, lab };
}

async function main(): Promise<void> {
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  const { backend, pane, lab } = await environments();
  if (stopping) return;
  run("backend", [tsx, "src/server/main.ts"], backend);
  run("pane", [vite], pane);
  console.log(
    `start: the pane is at ${PANE_URL} (browser preview outside Outlook; admin settings: ${PANE_URL}#/admin)`,
  );
  if (lab) {
    console.log(
      `start: Exchange lab "${lab.domain}" at ${lab.baseUrl}: open it once in your browser to accept its certificate; ` +
        `it lists the demo accounts and the alert mail it caught (CA: ${lab.caCertFile})`,
    );
    console.log(
      `start: sign in as ${DEMO_ADMIN} / Lab-Passw0rd! (admin) or alex.wilber@contoso.lab / Lab-Passw0rd! (user); ` +
        "service account svc-sync@contoso.lab / Sync-Lab-2026!",
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
