/** What the Office dialog's sign-in is for, read from auth.html's query (?dialog=user|serviceAccount&loginHint=). */
export interface DialogRequest {
  purpose: "user" | "serviceAccount";
  loginHint: string | null;
}

/** Marks the dialog window's session while MSAL redirects away and back. */
export const DIALOG_MARK = "sync-sidebar.dialog-sign-in";

export function dialogRequestFrom(search: string): DialogRequest | null {
  const params = new URLSearchParams(search);
  const purpose = params.get("dialog");
  if (purpose !== "user" && purpose !== "serviceAccount") return null;
  return { purpose, loginHint: params.get("loginHint") };
}
