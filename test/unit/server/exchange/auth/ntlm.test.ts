import { createLMv2Response, createNTLMHash, createNTLMv2Response } from "@ewsjs/ntlm-client/lib/hash.js";
import { afterEach, describe, expect, it, vi } from "vitest";
import { issueChallenge, readNtlmMessage, verifyAuthenticate } from "../../../../../src/lab/ntlm.js";
import { authenticateHeader, negotiateHeader, ntlmAccount } from "../../../../../src/server/exchange/auth/ntlm.js";
import {
  challengeToken,
  createServiceAccountSignIn,
  offeredSchemes,
} from "../../../../../src/server/exchange/auth/serviceAccountSignIn.js";
import type {
  ExchangeFetch,
  OutboundRequestInit,
  OutboundResponse,
} from "../../../../../src/server/exchange/transport.js";
import type { PinnedConnection } from "../../../../../src/server/net/outbound.js";
import { MS_NLMP } from "../../../../support/msNlmpVectors.js";

const NAMES = {
  netbiosDomain: "CONTOSO",
  netbiosComputer: "MAIL",
  dnsDomain: "contoso.lab",
  dnsComputer: "mail.contoso.lab",
};
const PASSWORD = "Sync-Lab-2026!";
const signal = new AbortController().signal;
const SEND = { timeoutMs: 5_000, signal };

afterEach(() => {
  vi.useRealTimers();
});

describe("the NTLMv2 the product sends, against MS-NLMP 4.2.4", () => {
  const challenge = {
    challenge: Buffer.from(MS_NLMP.serverChallenge, "hex"),
    targetInfo: { buffer: MS_NLMP.targetInfo },
  };

  it("computes NTOWFv1 and the published LMv2 response", () => {
    const ntHash = createNTLMHash(MS_NLMP.password);
    expect(ntHash.toString("hex")).toBe(MS_NLMP.ntowfV1);
    const lmv2 = createLMv2Response(challenge, MS_NLMP.user, ntHash, MS_NLMP.clientChallenge, MS_NLMP.domain);
    expect(lmv2.toString("hex")).toBe(MS_NLMP.lmv2Response);
  });

  it("computes the published NTProofStr and blob at the example's time (0)", () => {
    // The example's timestamp is 0, i.e. 1601-01-01: the library reads the clock.
    vi.useFakeTimers({ now: -11_644_473_600_000, toFake: ["Date"] });
    const ntHash = createNTLMHash(MS_NLMP.password);
    const response = createNTLMv2Response(challenge, MS_NLMP.user, ntHash, MS_NLMP.clientChallenge, MS_NLMP.domain);
    expect(response.subarray(0, 16).toString("hex")).toBe(MS_NLMP.ntProofStr);
    expect(response.subarray(16).equals(MS_NLMP.temp())).toBe(true);
  });
});

describe("the product's NTLM messages", () => {
  it("splits DOMAIN\\user, and keeps a UPN or an address whole with an empty domain", () => {
    expect(ntlmAccount("CONTOSO\\svc-sync")).toEqual({ user: "svc-sync", domain: "CONTOSO" });
    expect(ntlmAccount(" svc-sync@contoso.lab ")).toEqual({ user: "svc-sync@contoso.lab", domain: "" });
  });

  it.each(["CONTOSO\\svc-sync", "svc-sync@contoso.lab"])(
    "answers a CHALLENGE with an NTLMv2 response the lab verifies for %s",
    (logon) => {
      const negotiate = readNtlmMessage(negotiateHeader().slice(5));
      expect(negotiate.type).toBe(1);
      // Even a server that does not negotiate extended session security gets NTLMv2, never NTLMv1.
      const issued = issueChallenge(negotiate.type === 1 ? negotiate.flags & ~0x00080000 : 0, NAMES);
      const built = authenticateHeader(issued.token, logon, PASSWORD);
      expect(built.ok).toBe(true);
      const raw = Buffer.from(built.ok ? built.header.slice(5) : "", "base64");
      const passwordOf = (user: string, domain: string) =>
        (user === "svc-sync" && domain === "CONTOSO") || (user === "svc-sync@contoso.lab" && domain === "")
          ? PASSWORD
          : null;
      expect(verifyAuthenticate(raw, issued, passwordOf)).toMatchObject({ ok: true });
      expect(verifyAuthenticate(raw, issueChallenge(0, NAMES), passwordOf)).toEqual({
        ok: false,
        reason: "wrong_password",
      });
    },
  );

  it("refuses a CHALLENGE without target info instead of falling back to NTLMv1", () => {
    const issued = Buffer.from(issueChallenge(0, NAMES).token, "base64");
    issued.writeUInt32LE(issued.readUInt32LE(20) & ~0x00800000, 20);
    const built = authenticateHeader(issued.toString("base64"), "CONTOSO\\svc-sync", PASSWORD);
    expect(built).toEqual({ ok: false, detail: expect.stringContaining("no target info") });
  });

  it("reads the schemes and the challenge token of joined WWW-Authenticate values", () => {
    const joined =
      'Negotiate, NTLM, Basic realm="mail.contoso.lab", Bearer client_id="00000002", trusted_issuers="x@*", token_types="a b"';
    expect(offeredSchemes(joined)).toEqual(["Negotiate", "NTLM", "Basic", "Bearer"]);
    expect(offeredSchemes(null)).toEqual([]);
    expect(challengeToken("NTLM TlRMTVNTUAACAAAADgAOADgAAAA=")).toBe("TlRMTVNTUAACAAAADgAOADgAAAA=");
    expect(challengeToken(joined)).toBeNull();
  });
});

/** An IIS-like server behind fake pinned connections: NTLM per connection, `forget()` drops every sign-in. */
function fakeServer(options: { offers?: string[] } = {}) {
  const offers = options.offers ?? ["Negotiate", "NTLM"];
  const authorizations: string[] = [];
  const connections: Array<{ signedIn: boolean; challenge: ReturnType<typeof issueChallenge> | null }> = [];
  const answer = (status: number, wwwAuthenticate?: string): OutboundResponse => ({
    status,
    headers: {
      get: (name) => (name === "www-authenticate" ? (wwwAuthenticate ?? null) : null),
      forEach: () => undefined,
    },
    body: null,
  });
  let refuseAll = false;
  const open = (): PinnedConnection<ExchangeFetch> => {
    const state = { signedIn: false, challenge: null as ReturnType<typeof issueChallenge> | null };
    connections.push(state);
    return {
      generation: () => 1,
      close: () => Promise.resolve(),
      fetch: (_url: string, init: OutboundRequestInit) => {
        const authorization = init.headers?.Authorization;
        if (authorization !== undefined) authorizations.push(authorization);
        if (authorization?.startsWith("NTLM ")) {
          const message = readNtlmMessage(authorization.slice(5));
          if (message.type === 1) {
            state.challenge = issueChallenge(message.flags, NAMES);
            return Promise.resolve(answer(401, `NTLM ${state.challenge.token}`));
          }
          if (message.type === 3 && state.challenge !== null && !refuseAll) {
            const verdict = verifyAuthenticate(message.raw, state.challenge, () => PASSWORD);
            state.signedIn = verdict.ok;
          }
        }
        return Promise.resolve(state.signedIn ? answer(200) : answer(401, offers.join(", ")));
      },
    };
  };
  return {
    open,
    connections,
    authorizations,
    forget: () => connections.forEach((connection) => (connection.signedIn = false)),
    refuse: () => (refuseAll = true),
  };
}

describe("the service account's NTLM sign-in over dedicated connections", () => {
  const make = (server: ReturnType<typeof fakeServer>, password = PASSWORD) =>
    createServiceAccountSignIn({
      authentication: "automatic",
      accountLogon: "CONTOSO\\svc-sync",
      password,
      fetch: () => Promise.reject(new Error("NTLM never uses the shared pool")),
      openConnection: server.open,
    });
  const post: OutboundRequestInit = { method: "POST", headers: { "Content-Type": "text/xml" }, body: "<x/>" };

  it("holds one authenticated connection per concurrent caller and signs each in once", async () => {
    const server = fakeServer();
    const signIn = make(server);
    for (let round = 0; round < 3; round += 1) {
      const results = await Promise.all(
        Array.from({ length: 4 }, () => signIn.send("https://mail.contoso.lab/EWS", post, SEND)),
      );
      expect(results.every((result) => result.ok && result.answer.status === 200)).toBe(true);
    }
    expect(server.connections).toHaveLength(4);
    expect(server.authorizations.filter((value) => readNtlmMessage(value.slice(5)).type === 3)).toHaveLength(4);
    expect(signIn.used()).toBe("ntlm");
  });

  it("signs a connection in again once when the server forgets it, then stops with auth_failed", async () => {
    const server = fakeServer();
    const signIn = make(server);
    expect((await signIn.send("https://mail.contoso.lab/EWS", post, SEND)).ok).toBe(true);
    server.forget();
    const again = await signIn.send("https://mail.contoso.lab/EWS", post, SEND);
    expect(again.ok && again.answer.status).toBe(200);
    server.forget();
    server.refuse();
    const before = server.authorizations.length;
    const refused = await signIn.send("https://mail.contoso.lab/EWS", post, SEND);
    expect(refused).toMatchObject({ ok: false, failure: { category: "auth_failed", httpStatus: 401 } });
    // One plain request, then exactly one more handshake (NEGOTIATE + AUTHENTICATE): no hammering.
    expect(server.authorizations.length - before).toBe(2);
  });

  it("reports ntlm_refused for a refused first handshake, without credentials or tokens in the detail", async () => {
    const server = fakeServer();
    const refused = await make(server, "wrong-password").send("https://mail.contoso.lab/EWS", post, SEND);
    expect(refused).toMatchObject({ ok: false, failure: { category: "ntlm_refused" } });
    const detail = JSON.stringify(refused);
    expect(detail).not.toContain("wrong-password");
    expect(detail).not.toContain("TlRMTVNT");
  });

  it("names what the server offers when it has no NTLM (Negotiate alone is Kerberos)", async () => {
    const server = fakeServer({ offers: ["Negotiate", 'Bearer client_id="x"'] });
    const signIn = createServiceAccountSignIn({
      authentication: "ntlm",
      accountLogon: "CONTOSO\\svc-sync",
      password: PASSWORD,
      fetch: () => Promise.reject(new Error("unused")),
      openConnection: server.open,
    });
    signIn.learn({ status: 401, headers: { get: () => "Negotiate, Bearer", forEach: () => undefined }, body: "" });
    const result = await signIn.send("https://mail.contoso.lab/EWS", post, SEND);
    expect(result).toMatchObject({ ok: false, failure: { category: "auth_method_unsupported" } });
    expect(!result.ok && result.failure.detail).toContain("Kerberos");
    expect(server.connections).toHaveLength(0);
  });
});
