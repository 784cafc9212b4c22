// `npm run sideload` / `npm run sideload:stop`: sideload manifest.xml into Outlook desktop through office-addin-debugging
// (Windows and Mac only), running the dev server for it and stopping that dev server again.
// Exit codes: 0 = done; 1 = office-addin-debugging or the dev server failed; 2 = this platform cannot sideload.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));
const stateDir = path.join(projectRoot, "tmp", "sideload");
const pidFile = path.join(stateDir, "dev-server.pid");
const DEV_PORT = 3000;

export const OUTLOOK_WEB_STEPS = [
  "Sideload into Outlook on the web (any OS) instead:",
  "  1. Run `npm run dev` and open https://localhost:3000/taskpane.html once in this browser to accept the certificate.",
  "  2. Open Outlook on the web (https://outlook.office.com) and select any message.",
  "  3. Choose Get Add-ins (under Apps, or the message's ... menu) > My add-ins > Add a custom add-in > Add from file.",
  `  4. Pick ${path.join(projectRoot, "manifest.xml")} and confirm; the Sync Sidebar button appears on messages.`,
  "  To remove it: the same page, Custom add-ins, ... > Remove.",
].join("\n");

export function desktopSideloadSupported(platform: NodeJS.Platform): boolean {
  return platform === "win32" || platform === "darwin";
}

/** office-addin-debugging exits 0 even when it fails; its output is the only signal. */
export function officeDebuggingFailed(exitCode: number | null, output: string): boolean {
  return exitCode !== 0 || /Unable to (start|stop|sideload)/i.test(output);
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function waitForPort(port: number, open: boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await portOpen(port)) === open) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

function runOfficeDebugging(args: string[]): boolean {
  const bin = path.join(projectRoot, "node_modules", "office-addin-debugging", "cli.js");
  const result = spawnSync(process.execPath, [bin, ...args], { cwd: projectRoot, encoding: "utf8" });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  process.stdout.write(output);
  return !officeDebuggingFailed(result.status, output);
}

async function startDevServer(): Promise<boolean> {
  if (await portOpen(DEV_PORT)) {
    console.log(
      `sideload: a server already listens on port ${DEV_PORT}; using it (sideload:stop will leave it running)`,
    );
    return true;
  }
  mkdirSync(stateDir, { recursive: true });
  const log = openSync(path.join(stateDir, "dev-server.log"), "a");
  const vite = path.join(projectRoot, "node_modules", "vite", "bin", "vite.js");
  const child = spawn(process.execPath, [vite], { cwd: projectRoot, detached: true, stdio: ["ignore", log, log] });
  if (child.pid === undefined) return false;
  writeFileSync(pidFile, String(child.pid));
  child.unref();
  console.log(`sideload: dev server starting (pid ${child.pid}, log tmp/sideload/dev-server.log)`);
  return waitForPort(DEV_PORT, true, 60_000);
}

/** Stops the dev server this script started (recorded in the pid file); a server started elsewhere is left alone. */
async function stopDevServer(): Promise<void> {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8"));
  try {
    if (process.platform === "win32") spawnSync("taskkill", ["/pid", String(pid), "/T", "/F"]);
    else process.kill(-pid, "SIGTERM"); // detached: the whole process group
    console.log(`sideload: stopped the dev server (pid ${pid})`);
  } catch {
    console.log(`sideload: the dev server (pid ${pid}) was no longer running`);
  }
  rmSync(pidFile, { force: true });
  if (!(await waitForPort(DEV_PORT, false, 10_000))) console.warn(`sideload: port ${DEV_PORT} is still in use`);
}

async function main(command: string | undefined): Promise<number> {
  if (command !== "start" && command !== "stop") {
    console.error("usage: tsx scripts/sideload.ts start|stop");
    return 1;
  }
  if (!desktopSideloadSupported(process.platform)) {
    if (command === "stop") await stopDevServer();
    console.error(
      `sideload: Outlook desktop sideloading needs Windows or Mac; this is ${process.platform}, so nothing was sideloaded.\n`,
    );
    console.error(OUTLOOK_WEB_STEPS);
    return 2;
  }
  if (command === "start") {
    if (!(await startDevServer())) {
      console.error(`sideload: the dev server did not come up on port ${DEV_PORT}; see tmp/sideload/dev-server.log`);
      await stopDevServer();
      return 1;
    }
    const ok = runOfficeDebugging([
      "start",
      "manifest.xml",
      "desktop",
      "--app",
      "outlook",
      "--no-debug",
      "--dev-server-port",
      String(DEV_PORT),
    ]);
    if (!ok) {
      console.error("sideload: office-addin-debugging could not sideload the add-in (see above)");
      await stopDevServer();
      return 1;
    }
    console.log(
      "sideload: Outlook has the add-in; open a message and choose Open Sync Sidebar. Stop with npm run sideload:stop",
    );
    return 0;
  }
  const ok = runOfficeDebugging(["stop", "manifest.xml", "desktop"]);
  await stopDevServer();
  if (!ok) console.error("sideload: office-addin-debugging could not remove the add-in (see above)");
  return ok ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv[2]);
}
