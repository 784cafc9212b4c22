/**
 * The one email address rule, applied by the pane (before a form is sent) and the server (request formats, imports,
 * configuration, the CLI). An address has no spaces or characters that break a header, CSV or PowerShell quoting,
 * and a dotted domain; 320 characters at most (RFC 5321's 64 + 1 + 255).
 */
export const EMAIL_ADDRESS_MAX_LENGTH = 320;

export const EMAIL_ADDRESS_PATTERN = /^[^\s@"<>(),;:\\[\]]+@[^\s@"<>(),;:\\[\]]+\.[^\s@"<>(),;:\\[\]]+$/;

/** Why a value is not an email address, as a field message ("must …"), or null when it is one. */
export function emailAddressProblem(value: string): string | null {
  if (value.length > EMAIL_ADDRESS_MAX_LENGTH) return `must be at most ${EMAIL_ADDRESS_MAX_LENGTH} characters`;
  if (!EMAIL_ADDRESS_PATTERN.test(value)) return "must be an email address";
  return null;
}

export function isEmailAddress(value: string): boolean {
  return emailAddressProblem(value) === null;
}
