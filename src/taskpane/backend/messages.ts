/**
 * The one message builder: how a server problem reads in the pane. The server names each bad field by its path and
 * a predicate ("ewsUrl" + "must use https"); here a field's path becomes its label and the predicate a sentence, so
 * that the form shows it at the field itself, and a banner only says what no field can.
 */
import type { ProblemDetails } from "../../contract/api";

/** The fields the pane's forms show, by the path the server names them with (after "draft."). */
export const FIELD_LABELS: Readonly<Record<string, string>> = {
  accessType: "Mailbox Access Type",
  accountLogon: "Account Logon",
  password: "Password",
  authentication: "Authentication",
  ewsUrl: "EWS URL",
  appOnly: "The app registration",
  "appOnly.tenantId": "Tenant ID",
  "appOnly.clientId": "Client ID",
  "appOnly.clientSecret": "Client secret",
  "appOnly.clientSecretExpiresAt": "Secret expires on",
  "appOnly.certificatePem": "Certificate (PEM)",
  "appOnly.privateKeyPem": "Private key (PEM)",
  email: "Email",
  displayName: "Display name",
  role: "Role",
  import: "Users as CSV",
  "import.csv": "Users as CSV",
  "import.rows": "Users as CSV",
  // The canary field: its errors ("is already a canary …") read best about the mailbox itself.
  address: "This mailbox",
};

/**
 * Messages that begin with a verb ("is required", "must use https", "resolves to …") are a predicate about their
 * field: the field's label becomes their subject. Others ("host … could not be resolved") stand as they are.
 */
const PREDICATE = /^(are|must|have|do|cannot|can|should|would|was|were|may|[a-z]+s)\b/;

/** A sentence: one full stop (never ".."), and a capital first letter unless it begins with a name or address. */
export function asSentence(text: string): string {
  const trimmed = text.trim().replace(/[.\s]+$/, "");
  if (trimmed === "") return "";
  const ended = /[!?)”"]$/.test(trimmed) ? trimmed : `${trimmed}.`;
  return /^[a-z]+(\s|$)/.test(ended) ? ended.charAt(0).toUpperCase() + ended.slice(1) : ended;
}

/** Joins sentences that may or may not end with a full stop ("The run stopped." + "Saving…" without ".."). */
export function sentences(...parts: Array<string | null | undefined>): string {
  return parts
    .filter((part): part is string => typeof part === "string" && part.trim() !== "")
    .map(asSentence)
    .join(" ");
}

/** The server's "draft.ewsUrl" is the form's "ewsUrl": check runs validate the unsaved draft under "draft.". */
export function formFieldOf(path: string): string {
  return path.replace(/^(draft|body)\./, "");
}

/** One field's error in the admin's words, e.g. "EWS URL must use https." */
export function fieldSentence(path: string, message: string): string {
  const field = formFieldOf(path);
  const label = FIELD_LABELS[field];
  // "alexis@contoso.com is a user …" names its own subject, even when the address's local part looks like a verb.
  if (/^[^\s@]+@[^\s@]+/.test(message.trim())) return asSentence(message);
  if (PREDICATE.test(message.trim())) return asSentence(`${label ?? "This value"} ${message.trim()}`);
  return asSentence(message);
}

/** Every field error of a problem as sentences under the form's field names. */
export function fieldMessagesOf(problem: ProblemDetails): Record<string, string> {
  const messages: Record<string, string> = {};
  for (const entry of problem.errors ?? []) {
    const field = formFieldOf(entry.field);
    messages[field] ??= fieldSentence(entry.field, entry.message);
  }
  return messages;
}
