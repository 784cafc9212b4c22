/**
 * The sign-in of an on-premises EWS or Autodiscover virtual directory, as IIS does it: the methods the scenario
 * offers (ewsAuth), bearer tokens (OAuth) always, and NTLM bound to the TCP connection: after a successful
 * NEGOTIATE → CHALLENGE → AUTHENTICATE, further requests on that connection are that account's, with or without an
 * Authorization header; another connection starts from nothing. A 401 lists what the directory offers.
 */
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Authenticator, AuthResult, Caller } from "./auth.js";
import type { Directory } from "./directory.js";
import {
  issueChallenge,
  readNtlmMessage,
  verifyAuthenticate,
  type IssuedChallenge,
  type NtlmServerNames,
} from "./ntlm.js";
import type { Scenario } from "./scenario.js";
import type { LabStats } from "./stats.js";

export type DirectoryAuthResult =
  | { ok: true; caller: Caller }
  | {
      ok: false;
      /** WWW-Authenticate values of the 401. */
      challenges: string[];
      detail: string;
      /** A bearer token was presented and refused (error="invalid_token" on the Bearer challenge). */
      tokenError: boolean;
    };

interface ConnectionState {
  challenge: (IssuedChallenge & { scheme: string }) | null;
  caller: Caller | null;
}

const BEARER =
  'Bearer client_id="00000002-0000-0ff1-ce00-000000000000", trusted_issuers="00000001-0000-0000-c000-000000000000@*", token_types="app_asserted_user_v1 service_asserted_app_v1"';

/** NetBIOS names are the first DNS label, upper-cased, at most 15 characters. */
export function ntlmNamesFor(domain: string): NtlmServerNames {
  const netbios = (domain.split(".")[0] ?? domain).toUpperCase().slice(0, 15);
  return { netbiosDomain: netbios, netbiosComputer: "MAIL", dnsDomain: domain, dnsComputer: `mail.${domain}` };
}

export class DirectoryAuth {
  private readonly connections = new WeakMap<Socket, ConnectionState>();
  private readonly names: NtlmServerNames;
  private readonly offersNtlm: boolean;
  private readonly offersBasic: boolean;
  private readonly offersNegotiate: boolean;

  constructor(
    private readonly scenario: Scenario,
    private readonly directory: Directory,
    private readonly auth: Authenticator,
    private readonly stats: LabStats,
    /** Extended Protection: the channel binding hash NTLM sign-ins must carry (null: not required). */
    private readonly channelBinding: Buffer | null,
  ) {
    this.names = ntlmNamesFor(scenario.domain);
    const onprem = scenario.mode === "onprem";
    this.offersNtlm = onprem && scenario.ewsAuth.includes("ntlm");
    this.offersBasic = onprem && scenario.ewsAuth.includes("basic");
    this.offersNegotiate = this.offersNtlm || (onprem && scenario.ewsAuth.includes("kerberos"));
  }

  /** What a 401 offers; `realm` names the Basic realm (the virtual directory's host). */
  challenges(realm: string, tokenError = false): string[] {
    const offered: string[] = [];
    if (this.offersNegotiate) offered.push("Negotiate");
    if (this.offersNtlm) offered.push("NTLM");
    if (this.offersBasic) offered.push(`Basic realm="${realm}"`);
    offered.push(`${BEARER}${tokenError ? ', error="invalid_token"' : ""}`);
    return offered;
  }

  async authenticate(req: IncomingMessage, audiences: readonly string[], realm: string): Promise<DirectoryAuthResult> {
    const header = req.headers.authorization;
    const state = this.stateOf(req.socket);
    const refuse = (detail: string, tokenError = false): DirectoryAuthResult => ({
      ok: false,
      challenges: this.challenges(realm, tokenError),
      detail,
      tokenError,
    });
    const space = header?.indexOf(" ") ?? -1;
    const scheme = header === undefined ? "" : (space < 0 ? header : header.slice(0, space)).toLowerCase();
    if (scheme === "ntlm" || scheme === "negotiate") {
      return this.handshake(state, scheme, header!.slice(space + 1).trim(), refuse);
    }
    if (header === undefined) {
      if (state.caller !== null) return this.accepted(state.caller, "ntlm");
      return refuse("no Authorization header");
    }
    const result: AuthResult = await this.auth.authenticate(header, audiences, this.offersBasic);
    if (!result.ok) {
      const tokenError =
        result.reason !== "missing" && result.reason !== "bad_credentials" && result.reason !== "basic_disabled";
      return refuse(result.detail, tokenError);
    }
    return this.accepted(result.caller, result.caller.kind === "basic" ? "basic" : "bearer");
  }

  private handshake(
    state: ConnectionState,
    scheme: string,
    token: string,
    refuse: (detail: string) => DirectoryAuthResult,
  ): DirectoryAuthResult {
    // A new handshake on a connection drops whatever it had authenticated (IIS re-authenticates the connection).
    state.caller = null;
    const offered = scheme === "ntlm" ? this.offersNtlm : this.offersNegotiate;
    const message = readNtlmMessage(token);
    if (!offered || !this.offersNtlm || message.type === "invalid") {
      state.challenge = null;
      return refuse(message.type === "invalid" ? message.reason : `${scheme} is not enabled on this directory`);
    }
    if (message.type === 1) {
      const issued = issueChallenge(message.flags, this.names);
      state.challenge = { ...issued, scheme };
      const label = scheme === "ntlm" ? "NTLM" : "Negotiate";
      return { ok: false, challenges: [`${label} ${issued.token}`], detail: "NTLM challenge", tokenError: false };
    }
    const challenge = state.challenge;
    state.challenge = null;
    if (challenge === null) {
      this.stats.ntlmRefused++;
      return refuse("an NTLM AUTHENTICATE message without a challenge on this connection");
    }
    const verdict = verifyAuthenticate(
      message.raw,
      challenge,
      (user, domain) => this.passwordOf(user, domain),
      this.channelBinding,
    );
    if (!verdict.ok) {
      this.stats.ntlmRefused++;
      return refuse(`NTLM sign-in refused (${verdict.reason})`);
    }
    const account = this.accountOf(verdict.fields.user, verdict.fields.domain)!;
    this.stats.ntlmHandshakes++;
    state.caller = { kind: "ntlm", account, budgetKey: account.email };
    return this.accepted(state.caller, "ntlm");
  }

  private accepted(caller: Caller, method: "ntlm" | "basic" | "bearer"): DirectoryAuthResult {
    if (method === "ntlm") this.stats.acceptedNtlm++;
    else if (method === "basic") this.stats.acceptedBasic++;
    else this.stats.acceptedBearer++;
    return { ok: true, caller };
  }

  /** CONTOSO\svc-sync (NetBIOS or DNS domain), or a UPN / address with an empty or matching domain. */
  private accountOf(user: string, domain: string): ReturnType<Directory["find"]> {
    const ownDomain = [this.names.netbiosDomain.toLowerCase(), this.names.dnsDomain].includes(domain.toLowerCase());
    const entry = user.includes("@")
      ? this.directory.find(user)
      : ownDomain
        ? this.directory.find(`${user}@${this.scenario.domain}`)
        : undefined;
    return entry && entry.kind !== "room" && entry.password !== null ? entry : undefined;
  }

  private passwordOf(user: string, domain: string): string | null {
    return this.accountOf(user, domain)?.password ?? null;
  }

  private stateOf(socket: Socket): ConnectionState {
    let state = this.connections.get(socket);
    if (state === undefined) {
      state = { challenge: null, caller: null };
      this.connections.set(socket, state);
    }
    return state;
  }
}
