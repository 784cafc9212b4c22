/**
 * `npm run bench -- lab`: GetFolder with ExchangeImpersonation against the lab at concurrency 27 (the service
 * account's budget) with zero added latency. The lab runs in this process; the load comes from a child process so
 * client work does not share the server's event loop. Prints {"bench":"lab","requests_per_s":…,"concurrency":27}.
 * LAB_BENCH_SECONDS (default 8) sets the measured duration.
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { DEMO_SCENARIO_FILE, generateScenario, loadScenarioFile, startLab } from "../src/lab/index.js";

const CONCURRENCY = 27;

interface ClientReport {
  requests: number;
  failures: number;
  seconds: number;
}

function getFolder(user: string): string {
  return (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages">' +
    `<soap:Header><t:RequestServerVersion Version="Exchange2016"/><t:ExchangeImpersonation><t:ConnectingSID><t:PrimarySmtpAddress>${user}</t:PrimarySmtpAddress></t:ConnectingSID></t:ExchangeImpersonation></soap:Header>` +
    '<soap:Body><m:GetFolder><m:FolderShape><t:BaseShape>IdOnly</t:BaseShape></m:FolderShape><m:FolderIds><t:DistinguishedFolderId Id="inbox"/></m:FolderIds></m:GetFolder></soap:Body></soap:Envelope>'
  );
}

/** The load generator (child process): CONCURRENCY workers over keep-alive TLS connections trusting the lab's CA. */
async function runClient(): Promise<void> {
  const { url, ca, auth, users, seconds } = JSON.parse(process.env.LAB_BENCH_CLIENT ?? "{}") as {
    url: string;
    ca: string;
    auth: string;
    users: string[];
    seconds: number;
  };
  const target = new URL(url);
  const pool = new Pool(target.origin, { connections: CONCURRENCY, connect: { ca } });
  const bodies = users.map(getFolder);
  let requests = 0;
  let failures = 0;
  let measuring = false;
  let next = 0;
  const worker = async (deadline: number): Promise<void> => {
    while (Date.now() < deadline) {
      const i = next++ % bodies.length;
      const response = await pool.request({
        path: target.pathname,
        method: "POST",
        headers: { "content-type": "text/xml; charset=utf-8", authorization: auth, "x-anchormailbox": users[i]! },
        body: bodies[i]!,
      });
      const text = await response.body.text();
      if (!measuring) continue;
      requests++;
      if (response.statusCode !== 200 || !text.includes("NoError")) failures++;
    }
  };
  // One second of warm-up (TLS handshakes, JIT), then the measured window.
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(Date.now() + 1000)));
  measuring = true;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, () => worker(Date.now() + seconds * 1000)));
  const report: ClientReport = { requests, failures, seconds: (performance.now() - started) / 1000 };
  await pool.close();
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

async function runBench(): Promise<void> {
  const base = await loadScenarioFile(DEMO_SCENARIO_FILE);
  // The lab's request handling is what this measures, so Basic (one header) rather than the on-premises default,
  // NTLM, whose handshake would measure connection setup; the checks bench has an ntlm case for that.
  const scenario = { ...generateScenario({ users: 1000, mix: { ok: 1 }, base }), ewsAuth: ["basic" as const] };
  const lab = await startLab({ scenario });
  try {
    const account = scenario.serviceAccounts[0]!;
    const config = {
      url: lab.ewsUrl,
      ca: lab.caCertPem,
      auth: `Basic ${Buffer.from(`${account.email}:${account.password}`).toString("base64")}`,
      users: scenario.users.map((u) => u.email),
      seconds: Number(process.env.LAB_BENCH_SECONDS ?? "8"),
    };
    const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
      env: { ...process.env, LAB_BENCH_CLIENT: JSON.stringify(config) },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    if (code !== 0) throw new Error(`bench client exited with ${code}`);
    const report = JSON.parse(output.trim().split("\n").pop() ?? "{}") as ClientReport;
    if (report.failures > 0)
      process.stderr.write(`lab bench: ${report.failures} of ${report.requests} requests did not answer NoError\n`);
    const requestsPerSecond = Math.round(report.requests / report.seconds);
    // A failed request is not throughput: any failure fails the case, whatever the rate.
    const pass = report.failures === 0 && requestsPerSecond >= 2000;
    process.stdout.write(
      `${JSON.stringify({ bench: "lab", requests_per_s: requestsPerSecond, concurrency: CONCURRENCY, requests: report.requests, failures: report.failures, target_requests_per_s: 2000, pass })}\n`,
    );
  } finally {
    await lab.close();
  }
}

if (process.env.LAB_BENCH_CLIENT) await runClient();
else await runBench();
