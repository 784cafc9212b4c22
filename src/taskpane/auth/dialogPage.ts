/**
 * auth.html inside the Office dialog: loads Office.js, signs in with an MSAL redirect (the dialog is a top-level
 * window, so no popup is needed) and sends the result to the pane with messageParent.
 */
import { PublicClientApplication, type AuthenticationResult } from "@azure/msal-browser";
import type { ClientConfigDto } from "../../contract/api";
import type { DialogSignInMessage } from "./dialogSignIn";
import { DIALOG_MARK, type DialogRequest } from "./dialogRequest";

function loadOfficeJs(): Promise<void> {
  const template = document.getElementById("office-js") as HTMLTemplateElement | null;
  const src = template?.content.querySelector("script")?.getAttribute("src");
  if (!src) return Promise.reject(new Error("auth.html has no Office.js script"));
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error("Office.js could not be loaded"));
    document.head.appendChild(script);
  });
}

async function sendToPane(message: DialogSignInMessage): Promise<void> {
  await Office.onReady();
  Office.context.ui.messageParent(JSON.stringify(message));
}

export async function runDialogSignIn(request: DialogRequest | null): Promise<void> {
  await loadOfficeJs();
  const stored = sessionStorage.getItem(DIALOG_MARK);
  const active: DialogRequest =
    request ?? (stored ? (JSON.parse(stored) as DialogRequest) : { purpose: "user", loginHint: null });
  const config = (await (await fetch("/api/client-config")).json()) as ClientConfigDto;
  const app = new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri: `${location.origin}/auth.html`,
    },
    // The service account's sign-in must not land in the pane's shared cache.
    cache: { cacheLocation: active.purpose === "serviceAccount" ? "memoryStorage" : "localStorage" },
    system: { protocolMode: config.protocolMode === "oidc" ? "OIDC" : "AAD" },
  });
  await app.initialize();
  let result: AuthenticationResult | null = null;
  try {
    result = await app.handleRedirectPromise();
  } catch (error) {
    sessionStorage.removeItem(DIALOG_MARK);
    const code = (error as { errorCode?: string }).errorCode ?? "failed";
    await sendToPane({ status: "error", code, message: code });
    return;
  }
  if (result) {
    sessionStorage.removeItem(DIALOG_MARK);
    await sendToPane({
      status: "success",
      accessToken: result.accessToken,
      username: result.account.username,
      name: result.account.name ?? result.account.username,
      expiresOn: result.expiresOn?.toISOString() ?? null,
    });
    return;
  }
  sessionStorage.setItem(DIALOG_MARK, JSON.stringify(active));
  await app.loginRedirect({
    scopes: config.apiScopes,
    ...(active.purpose === "serviceAccount"
      ? { prompt: "login" }
      : config.protocolMode === "aad"
        ? { prompt: "select_account" }
        : {}),
    ...(active.loginHint ? { loginHint: active.loginHint } : {}),
  });
}
