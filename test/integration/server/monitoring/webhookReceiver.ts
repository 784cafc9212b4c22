/**
 * An HTTPS webhook receiver for monitoring tests, with a certificate from the lab's development CA (the backend
 * trusts it through OUTBOUND_CA_FILE). It verifies each delivery's signature the way the README tells a receiver to,
 * and answers from a script (e.g. 500 first, then 200).
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { ensureCertificates } from "../../../../src/lab/certs.js";

export interface ReceivedWebhook {
  timestamp: string;
  signatureValid: boolean;
  body: { event: string; kind: string | null; summary: string; orgId: string };
  status: number;
}

export interface WebhookReceiver {
  url: string;
  caCertFile: string;
  received: ReceivedWebhook[];
  /** Status to answer for the nth request (0-based); default 200. */
  answer: (index: number) => number;
  close(): Promise<void>;
}

export function verifySignature(secret: string, timestamp: string, rawBody: string, header: string): boolean {
  const expected = Buffer.from(
    `sha256=${createHmac("sha256", secret).update(`${timestamp}.${rawBody}`).digest("hex")}`,
  );
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const dir = await mkdtemp(path.join(tmpdir(), "webhook-receiver-"));
  const certs = await ensureCertificates(dir, "receiver.test");
  const received: ReceivedWebhook[] = [];
  const receiver = { answer: (_index: number) => 200 };
  const server: Server = createServer({ key: certs.serverKeyPem, cert: certs.serverCertPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8");
      const timestamp = String(req.headers["x-sync-sidebar-timestamp"] ?? "");
      const signature = String(req.headers["x-sync-sidebar-signature"] ?? "");
      const status = receiver.answer(received.length);
      received.push({
        timestamp,
        signatureValid: verifySignature(secret, timestamp, raw, signature),
        body: JSON.parse(raw) as ReceivedWebhook["body"],
        status,
      });
      res.writeHead(status, { "content-type": "text/plain" }).end(status === 200 ? "ok" : "try again");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    url: `https://localhost:${port}/hooks/sync-sidebar`,
    caCertFile: certs.caCertFile,
    received,
    set answer(script: (index: number) => number) {
      receiver.answer = script;
    },
    get answer() {
      return receiver.answer;
    },
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
