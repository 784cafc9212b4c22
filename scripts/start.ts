// `npm start`: the whole product for development, with prefixed output; Ctrl+C (or any service exiting) stops all.
// With no real tenant configured (TOKEN_ISSUERS unset) the Exchange lab starts first as the default mailbox server
// and identity provider, and the backend is pointed at it with a demo organization holding the lab's users;
// otherwise the backend uses the environment as given and no lab runs.
// Ports and the data folder can be moved (LAB_PORT, PORT, PANE_PORT, DATA_DIR): its browser test runs it that way.
// LAB_SCENARIO plays another scenario file, in a data folder of its own (data/<scenario file name> unless DATA_DIR
// says), with its demo organization's admin (the scenario's demoOrganization.admin unless DEMO_ADMIN says).
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
const LAB_SCENARIO = process.env.LAB_SCENARIO || null;
const DATA_DIR = path.resolve(
  projectRoot,
  process.env.DATA_DIR ?? (LAB_SCENARIO ? path.join("data", path.basename(LAB_SCENARIO, ".json")) : "data"),
);
const LAB_DATA_DIR = path.join(DATA_DIR, "lab");
/** The demo organization's admin: DEMO_ADMIN, else the scenario's own (set once the lab's scenario is read). */
let DEMO_ADMIN = process.env.DEMO_ADMIN ?? "megan.bowen@contoso.lab";
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
      ...(LAB_SCENARIO ? ["--scenario", LAB_SCENARIO] : []),
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

interface LabScenario {
  domain: string;
  apps: { backend: { secret: string }; appOnly: Array<{ clientId: string; secret?: string }> };
  users: LabUser[];
  canaries?: Array<{ email: string }>;
  serviceAccounts: Array<{ email: string; password: string }>;
  demoOrganization?: {
    admin?: string;
    profiles: Array<{
      name: string;
      accessType: "ews_basic_impersonation" | "ews_oauth_impersonation" | "graph_app_only";
      serviceAccount?: string;
      appClientId?: string;
      default: boolean;
    }>;
    placement: "automatic" | "default";
  };
}

/**
 * The profiles a scenario's demo organization starts with (hybrid.json: On-premises and Cloud), as the backend's
 * BOOTSTRAP_PROFILES_FILE: each profile's configuration filled from the lab (its EWS URL, the service account's
 * password, the app's secret). Written only readable by this user: it holds the lab's secrets. Null without one.
 */
async function writeDemoProfiles(scenario: LabScenario, lab: LabReady): Promise<string | null> {
  const demo = scenario.demoOrganization;
  if (!demo || demo.profiles.length === 0) return null;
  const ewsUrl = `https://mail.${scenario.domain}:${new URL(lab.baseUrl).port}/EWS/Exchange.asmx`;
  const profiles = demo.profiles.map((profile) => {
    if (profile.accessType === "graph_app_only") {
      const app = scenario.apps.appOnly.find((candidate) => candidate.clientId === profile.appClientId);
      return {
        name: profile.name,
        default: profile.default,
        config: {
          accessType: profile.accessType,
          appOnly: { tenantId: lab.tenantId, clientId: profile.appClientId, clientSecret: app?.secret },
        },
      };
    }
    const account = scenario.serviceAccounts.find((candidate) => candidate.email === profile.serviceAccount);
    return {
      name: profile.name,
      default: profile.default,
      config: {
        accessType: profile.accessType,
        ewsUrl,
        ...(profile.accessType === "ews_basic_impersonation"
          ? { accountLogon: profile.serviceAccount, password: account?.password }
          : {}),
      },
    };
  });
  const file = path.join(DATA_DIR, "demo-profiles.json");
  await writeFile(file, JSON.stringify({ profiles, placement: demo.placement }, null, 2), { mode: 0o600 });
  return file;
}

interface Environments {
  backend: NodeJS.ProcessEnv;
  pane: NodeJS.ProcessEnv;
  lab: LabReady | null;
  scenario: LabScenario | null;
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
  if (process.env.TOKEN_ISSUERS) return { backend: { ...shared, ...process.env }, pane, lab: null, scenario: null };
  const lab = await startLab();
  // The backend's confidential-client secret lives in the lab's effective scenario, not in its ready line.
  const scenario = JSON.parse(await readFile(path.join(LAB_DATA_DIR, "scenario.json"), "utf8")) as LabScenario;
  if (!process.env.DEMO_ADMIN && scenario.demoOrganization?.admin) DEMO_ADMIN = scenario.demoOrganization.admin;
  const admin = scenario.users.find((user) => user.email === DEMO_ADMIN);
  const demoProfiles = await writeDemoProfiles(scenario, lab);
  const backend: NodeJS.ProcessEnv = {
    ...shared,
    ...backendEnvForLab({
      ...lab,
      port: Number(new URL(lab.baseUrl).port),
      backendClientSecret: scenario.apps.backend.secret,
    }),
    ...paneAuthEnvForLab(lab),
    BOOTSTRAP_ADMIN: DEMO_ADMIN,
    BOOTSTRAP_ORG_NAME: LAB_SCENARIO ? `${lab.domain} (Exchange lab)` : "Contoso (Exchange lab)",
    BOOTSTRAP_TENANT_ID: lab.tenantId,
    BOOTSTRAP_USERS_FILE: await writeDemoUsers(scenario.users),
    // The lab's mailboxes kept outside the scope on purpose: every check probes them and expects a refusal.
    BOOTSTRAP_CANARIES: (scenario.canaries ?? []).map((canary) => canary.email).join(","),
    ...(demoProfiles === null ? {} : { BOOTSTRAP_PROFILES_FILE: demoProfiles }),
    // Alert email goes to the lab's mail catcher unless a real relay is configured.
    ...(process.env.SMTP_HOST
      ? {}
      : { SMTP_HOST: lab.smtpHost, SMTP_PORT: String(lab.smtpPort), SMTP_FROM: "sync-sidebar@contoso.lab" }),
    // Whatever the developer set explicitly wins over the lab defaults.
    ...process.env,
  };
  // The preview's mailbox is the lab's demo admin, so the pane shows one identity before and after sign-in.
  if (admin) pane.VITE_PREVIEW_MAILBOX = `${admin.displayName} <${admin.email}>`;
  return { backend, pane, lab, scenario };
}

async function main(): Promise<void> {
  process.on("SIGINT", () => stopAll(0));
  process.on("SIGTERM", () => stopAll(0));
  const { backend, pane, lab, scenario } = await environments();
  if (stopping) return;
  run("backend", [tsx, "src/server/main.ts"], backend);
  run("pane", [vite], pane);
  console.log(
    `start: the pane is at ${PANE_URL} (browser preview outside Outlook; admin settings: ${PANE_URL}#/admin)`,
  );
  if (lab && scenario) {
    console.log(
      `start: Exchange lab "${lab.domain}" at ${lab.baseUrl}: open it once in your browser to accept its certificate; ` +
        `it lists the demo accounts and the alert mail it caught (CA: ${lab.caCertFile})`,
    );
    const user = scenario.users.find((candidate) => candidate.email !== DEMO_ADMIN);
    const account = scenario.serviceAccounts[0];
    console.log(
      `start: sign in as ${DEMO_ADMIN} / Lab-Passw0rd! (admin)` +
        (user ? ` or ${user.email} / Lab-Passw0rd! (user)` : "") +
        (account ? `; service account ${account.email} / ${account.password}` : ""),
    );
    if (scenario.demoOrganization) {
      console.log(
        `start: the demo organization has the profiles ${scenario.demoOrganization.profiles.map((p) => p.name).join(" and ")}` +
          ` (placement: ${scenario.demoOrganization.placement}); check them from Admin settings › Email Configuration`,
      );
    }
  } else {
    console.log("start: TOKEN_ISSUERS is set, so no Exchange lab was started; the backend uses your tenant settings");
  }
  console.log("start: Ctrl+C stops everything");
}

main().catch((error: unknown) => {
  console.error(`start: ${(error as Error).message}`);
  stopAll(1);
});
