// auth.html: the MSAL redirect page. In a popup or iframe it hands the response to the pane that opened it
// (broadcastResponseToMainFrame); in the Office dialog (the last sign-in fallback) it runs the dialog's sign-in.
import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";
import { DIALOG_MARK, dialogRequestFrom } from "./auth/dialogRequest";

const status = document.getElementById("auth-status");

function show(text: string): void {
  if (status) status.textContent = text;
}

async function run(): Promise<void> {
  const request = dialogRequestFrom(location.search);
  if (request || sessionStorage.getItem(DIALOG_MARK)) {
    const { runDialogSignIn } = await import("./auth/dialogPage");
    await runDialogSignIn(request);
    return;
  }
  await broadcastResponseToMainFrame();
  show("Signed in. You can close this window.");
}

run().catch(() => {
  // Never echo the URL: it holds the authorization code.
  show("Sign-in could not be completed. Close this window and try again from Sync Sidebar.");
});
