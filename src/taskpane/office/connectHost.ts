import type { MailboxHost } from "./mailboxHost";
import { OfficeMailboxHost, type OfficeApi } from "./officeMailboxHost";
import type { PreviewMailboxHost } from "./previewMailboxHost";
import { officeScriptSettled } from "./officeScript";
import { parsePreviewUser } from "./sampleMailbox";

export interface ConnectedHost {
  host: MailboxHost;
  /** The preview's controls when running in a plain browser, null inside Outlook. */
  preview: PreviewMailboxHost | null;
}

type OfficeGlobal = OfficeApi & Pick<typeof Office, "onReady" | "HostType">;

/** The Office global, once the non-blocking office.js script has run (undefined when it could not load). */
async function loadedOffice(): Promise<OfficeGlobal | undefined> {
  await officeScriptSettled();
  return (globalThis as { Office?: OfficeGlobal }).Office;
}

/**
 * Waits for Office.js once and picks the host: Outlook when Office reports it, otherwise the browser preview
 * (also when office.js could not load at all). The preview's sample data is loaded only when needed.
 */
export async function connectHost(
  officeGiven?: OfficeGlobal,
  search: string = globalThis.location?.search ?? "",
  // `npm start` names the lab's demo mailbox here, so the preview and the lab's sign-in are one person.
  previewMailbox: string | undefined = import.meta.env.VITE_PREVIEW_MAILBOX as string | undefined,
): Promise<ConnectedHost> {
  const office = officeGiven ?? (await loadedOffice());
  if (office) {
    const info = await office.onReady();
    if (info.host === office.HostType.Outlook) return { host: new OfficeMailboxHost(office), preview: null };
  }
  const { PreviewMailboxHost } = await import("./previewMailboxHost");
  const params = new URLSearchParams(search);
  const preview = new PreviewMailboxHost({
    sampleId: params.get("sample"),
    theme: params.get("theme"),
    user: parsePreviewUser(previewMailbox),
  });
  return { host: preview, preview };
}
