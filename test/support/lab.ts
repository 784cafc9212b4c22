/**
 * Starts the Exchange lab in-process and gives the exchange module what the backend would: an outbound fetch that
 * trusts the lab's CA and reaches Microsoft's host names on the lab's loopback port (TLS stays verified), identity
 * settings for the lab's OIDC provider, and an in-memory encrypted token cache row.
 */
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connect } from "node:tls";
import { Agent, Client, fetch as undiciFetch, type buildConnector } from "undici";
import { DEMO_SCENARIO_FILE, startLab, type Lab, type Scenario } from "../../src/lab/index.js";
import type {
  IdentitySettings,
  MailboxDriverDeps,
  SecretCipher,
  TokenCacheStore,
} from "../../src/server/exchange/driver.js";
import type { ConnectionOpener, ExchangeFetch } from "../../src/server/exchange/transport.js";

export function scenarioFile(name: "demo" | "online" | "faults" | "hybrid"): Scenario {
  const file =
    name === "demo"
      ? DEMO_SCENARIO_FILE
      : fileURLToPath(new URL(`../../src/lab/scenarios/${name}.json`, import.meta.url));
  return JSON.parse(readFileSync(file, "utf8")) as Scenario;
}

export interface ExchangeLab {
  lab: Lab;
  fetch: ExchangeFetch;
  /** Dedicated connections (undici Client) through the same lab-only connector, for NTLM. */
  openConnection: ConnectionOpener;
  identity: IdentitySettings;
  deps(extra?: Partial<MailboxDriverDeps>): MailboxDriverDeps;
  close(): Promise<void>;
}

export function memoryTokenStore(): TokenCacheStore & { row: string | null; saves: number } {
  const store = {
    row: null as string | null,
    saves: 0,
    load: () => Promise.resolve(store.row),
    save: (sealed: string) => {
      store.row = sealed;
      store.saves += 1;
      return Promise.resolve();
    },
  };
  return store;
}

/** AES-256-GCM, as the backend's secret box does it. */
export function testCipher(): SecretCipher {
  const key = randomBytes(32);
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const sealed = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64");
    },
    open(sealed) {
      const raw = Buffer.from(sealed, "base64");
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    },
  };
}

export async function startExchangeLab(scenario: Scenario): Promise<ExchangeLab> {
  const lab = await startLab({ scenario, port: 0 });
  const mapped = new Set(["localhost", "127.0.0.1", ...Object.keys(lab.ready.hostOverrides)]);
  const labOnly: buildConnector.connector = (options, callback) => {
    const hostname = options.hostname.toLowerCase();
    if (!mapped.has(hostname)) {
      callback(new Error(`test fetch refuses ${hostname}: only the lab is reachable`), null);
      return;
    }
    const socket = connect({
      host: "127.0.0.1",
      port: lab.port,
      servername: hostname === "127.0.0.1" ? "localhost" : hostname,
      ca: lab.caCertPem,
    });
    socket.once("secureConnect", () => callback(null, socket));
    socket.once("error", (error: Error) => callback(error, null));
  };
  const dispatcher = new Agent({ connect: labOnly });
  const fetch: ExchangeFetch = (url, init) => undiciFetch(url, { ...init, dispatcher });
  const pinned: Client[] = [];
  const openConnection: ConnectionOpener = (url) => {
    let sockets = 0;
    const client = new Client(new URL(url).origin, {
      pipelining: 1,
      connect: (options, callback) =>
        labOnly(options, (...result) => {
          if (result[0] === null) sockets += 1;
          callback(...result);
        }),
    });
    pinned.push(client);
    return {
      fetch: (target, init) => undiciFetch(target, { ...init, dispatcher: client }),
      generation: () => sockets,
      close: () => client.close(),
    };
  };
  const identity: IdentitySettings = {
    authorityFor: () => lab.authority,
    knownAuthorities: [new URL(lab.authority).host],
    protocolMode: "oidc",
    backendClient: { clientId: lab.scenario.apps.backend.clientId, clientSecret: lab.scenario.apps.backend.secret },
    ewsScope: lab.ready.ewsScope,
    graphBaseUrl: lab.baseUrl,
    graphScope: lab.ready.graphScope,
  };
  return {
    lab,
    fetch,
    openConnection,
    identity,
    deps: (extra = {}) => ({ fetch, openConnection, identity, requestTimeoutMs: 10_000, ...extra }),
    async close() {
      await lab.close();
      await Promise.all([dispatcher.close(), ...pinned.map((client) => client.destroy())]);
    },
  };
}
