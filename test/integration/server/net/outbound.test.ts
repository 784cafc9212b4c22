/**
 * The outbound client against a real HTTPS server on loopback: lab host overrides with TLS verified against the
 * original name, the extra CA, and refusals (http, unlisted loopback, an address that changes after the check).
 */
import { createServer, type Server } from "node:https";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { generate } from "selfsigned";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { classifyTransportError } from "../../../../src/server/exchange/transport.js";
import { createOutboundClient, OutboundBlockedError } from "../../../../src/server/net/outbound.js";

let server: Server;
let port = 0;
let dir = "";
let caFile = "";
const hosts: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "outbound-"));
  const pems = await generate([{ name: "commonName", value: "outlook.office365.com" }], {
    keySize: 2048,
    extensions: [{ name: "subjectAltName", altNames: [{ type: 2, value: "outlook.office365.com" }] }],
  });
  caFile = path.join(dir, "ca.pem");
  await writeFile(caFile, pems.cert);
  server = createServer({ key: pems.private, cert: pems.cert }, (request, response) => {
    hosts.push(request.headers.host ?? "");
    response.writeHead(200, { "content-type": "text/plain" }).end("hello from the lab");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

function client(resolve: (host: string) => Promise<string[]> = () => Promise.reject(new Error("ENOTFOUND"))) {
  return createOutboundClient(
    {
      allowPrivateCidrs: [],
      allowedHosts: [],
      hostOverrides: {
        "outlook.office365.com": { address: "127.0.0.1", port },
        "graph.microsoft.com": { address: "127.0.0.1", port },
      },
      caFile,
      timeoutMs: 5000,
    },
    { resolve },
  );
}

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error instanceof OutboundBlockedError ? error : ((error as { cause?: unknown }).cause ?? error);
  }
  throw new Error("expected the request to be refused");
}

describe("outbound client", () => {
  it("reaches an overridden Microsoft host on loopback with TLS checked against the original name", async () => {
    const outbound = client();
    try {
      const response = await outbound.fetch("https://outlook.office365.com/EWS/Exchange.asmx");
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("hello from the lab");
      expect(hosts.at(-1)).toBe("outlook.office365.com");
    } finally {
      await outbound.close();
    }
  });

  it("maps an overridden host only on the ports the lab serves: another port is a refused connection", async () => {
    const outbound = client();
    try {
      const own = await outbound.fetch(`https://outlook.office365.com:${port}/EWS/Exchange.asmx`);
      expect(own.status).toBe(200);
      await own.text();
      const wrongPort = port === 4444 ? 4445 : 4444;
      const error = await refusal(outbound.fetch(`https://outlook.office365.com:${wrongPort}/EWS/Exchange.asmx`));
      expect((error as { code?: string }).code).toBe("ECONNREFUSED");
      expect(String((error as Error).message)).toContain(`outlook.office365.com:${wrongPort}`);
      const classified = classifyTransportError(
        await outbound.fetch(`https://outlook.office365.com:${wrongPort}/`).catch((e: unknown) => e),
        false,
      );
      expect(classified.category).toBe("network_error");
      expect(classified.detail).toContain("ECONNREFUSED");
    } finally {
      await outbound.close();
    }
  });

  it("fails TLS when the certificate does not name the host, even on an allowed address", async () => {
    const outbound = client();
    try {
      const error = await refusal(outbound.fetch("https://graph.microsoft.com/v1.0/users"));
      expect(String((error as Error).message ?? error)).toMatch(/altnames|certificate|Hostname/i);
    } finally {
      await outbound.close();
    }
  });

  it("refuses http, credentials in the URL and loopback the deployment did not allow", async () => {
    const outbound = client(() => Promise.resolve(["127.0.0.1"]));
    try {
      expect(await refusal(outbound.fetch(`http://127.0.0.1:${port}/`))).toMatchObject({ rule: "https_only" });
      expect(await refusal(outbound.fetch("https://u:p@outlook.office365.com/"))).toMatchObject({
        rule: "no_credentials",
      });
      expect(await refusal(outbound.fetch(`https://127.0.0.1:${port}/`))).toMatchObject({ rule: "blocked_address" });
      expect(await refusal(outbound.fetch(`https://lab.example:${port}/`))).toMatchObject({ rule: "blocked_address" });
    } finally {
      await outbound.close();
    }
  });

  it("checks the address it actually connects to, so a name that rebinds to loopback is refused", async () => {
    let answers = 0;
    // First answer public (what a pre-flight check would see), then loopback (what a rebinding attacker serves).
    const outbound = client(() => Promise.resolve(answers++ === 0 ? ["20.50.60.70"] : ["127.0.0.1"]));
    try {
      expect(await outbound.guard(`https://rebind.example:${port}/`)).toEqual({ ok: true });
      expect(await refusal(outbound.fetch(`https://rebind.example:${port}/`))).toMatchObject({
        rule: "blocked_address",
      });
      expect(hosts).not.toContain(`rebind.example:${port}`);
    } finally {
      await outbound.close();
    }
  });
});
