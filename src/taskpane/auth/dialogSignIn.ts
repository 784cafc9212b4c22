/**
 * The last sign-in fallback inside Office: the Office dialog (through the office boundary) opens auth.html, which
 * signs in with an MSAL redirect and sends the result back with messageParent.
 */
import type { MailboxHost } from "../office/mailboxHost";
import { SignInError } from "./authTypes";

/** What auth.html sends back with messageParent. */
export type DialogSignInMessage =
  | { status: "success"; accessToken: string; username: string; name: string; expiresOn: string | null }
  | { status: "error"; code: string; message: string };

export interface DialogSignInResult {
  accessToken: string;
  username: string;
  name: string;
  expiresOn: Date | null;
}

/** Office's code when the user closes the dialog (12006). */
const USER_CLOSED_DIALOG = 12006;

export function dialogUrl(origin: string, purpose: "user" | "serviceAccount", loginHint?: string): string {
  const params = new URLSearchParams({ dialog: purpose });
  if (loginHint) params.set("loginHint", loginHint);
  return `${origin}/auth.html?${params.toString()}`;
}

export async function signInWithDialog(host: MailboxHost, url: string): Promise<DialogSignInResult> {
  const dialog = await host.openDialog(url, { widthPercent: 40, heightPercent: 60 }).catch((error: unknown) => {
    // Office's code (e.g. 12011: the browser's settings block the dialog) says why, for the reach report.
    const code = (error as { code?: unknown }).code;
    throw new SignInError(
      "unavailable",
      "The sign-in window could not be opened.",
      typeof code === "number" || typeof code === "string" ? String(code) : "dialog_unavailable",
    );
  });
  return new Promise<DialogSignInResult>((resolve, reject) => {
    const stopMessages = dialog.onMessage((raw) => {
      stopMessages();
      stopClosed();
      dialog.close();
      let message: DialogSignInMessage;
      try {
        message = JSON.parse(raw) as DialogSignInMessage;
      } catch {
        reject(new SignInError("failed", "The sign-in window sent an answer the pane could not read."));
        return;
      }
      if (message.status === "success") {
        resolve({
          accessToken: message.accessToken,
          username: message.username,
          name: message.name,
          expiresOn: message.expiresOn ? new Date(message.expiresOn) : null,
        });
      } else if (message.code === "user_cancelled") {
        reject(new SignInError("cancelled", "Sign-in was cancelled.", message.code));
      } else {
        reject(new SignInError("failed", "Sign-in failed.", message.code));
      }
    });
    const stopClosed = dialog.onClosed((code) => {
      stopMessages();
      stopClosed();
      reject(
        code === USER_CLOSED_DIALOG
          ? new SignInError("cancelled", "The sign-in window was closed before sign-in finished.", String(code))
          : new SignInError("failed", "The sign-in window closed with an error.", String(code)),
      );
    });
  });
}
