/**
 * NTLM messages for the service account's Windows sign-in. Building them is @ewsjs/ntlm-client's job (the NTLM
 * module of the EWS JavaScript API); the product decides what it sends: NTLMv2 only (Exchange 2019 CU14+ refuses
 * NTLMv1, and the library's v1 path is never taken), no workstation name, and the account split as Windows does.
 */
import ntlmClient, { type Type2Message } from "@ewsjs/ntlm-client";

const { createType1Message, createType3Message, decodeType2Message } = ntlmClient;

/** DOMAIN\user → user and domain; a UPN or an address is the user name with an empty domain. */
export function ntlmAccount(accountLogon: string): { user: string; domain: string } {
  const logon = accountLogon.trim();
  const backslash = logon.indexOf("\\");
  return backslash < 0
    ? { user: logon, domain: "" }
    : { user: logon.slice(backslash + 1), domain: logon.slice(0, backslash) };
}

/** The NEGOTIATE message, as an Authorization header value ("NTLM …"). */
export function negotiateHeader(): string {
  return createType1Message("", "");
}

export type AuthenticateResult = { ok: true; header: string } | { ok: false; detail: string };

/** The AUTHENTICATE message answering a CHALLENGE token (the base64 after "NTLM "), or why it cannot be built. */
export function authenticateHeader(challengeToken: string, accountLogon: string, password: string): AuthenticateResult {
  let challenge: Type2Message;
  try {
    challenge = decodeType2Message(challengeToken);
  } catch {
    return { ok: false, detail: "the server's NTLM challenge could not be read" };
  }
  if (challenge.targetInfo === undefined || challenge.targetInfo.buffer.length === 0) {
    return { ok: false, detail: "the server's NTLM challenge carries no target info, so NTLMv2 cannot answer it" };
  }
  const { user, domain } = ntlmAccount(accountLogon);
  // The library writes into a 1 KB buffer: refuse what would not fit rather than send a truncated message.
  if (64 + 24 + 48 + challenge.targetInfo.buffer.length + 2 * (user.length + domain.length) > 1024) {
    return { ok: false, detail: "the server's NTLM challenge and the account name are longer than NTLM here allows" };
  }
  return { ok: true, header: createType3Message({ ...challenge, version: 2 }, user, password, "", domain) };
}
