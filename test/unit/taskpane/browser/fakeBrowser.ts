import { vi } from "vitest";
import type { BrowserActions } from "../../../../src/taskpane/browser/browserActions";

/** A BrowserActions that records what the pane asked of the browser; pop-ups open and copies succeed by default. */
export function fakeBrowser() {
  const release = vi.fn();
  return {
    origin: "https://pane.test",
    openPopup: vi.fn((_url: string, _name: string, _features: string) => true),
    copyText: vi.fn((_text: string) => Promise.resolve()),
    saveFile: vi.fn(),
    guardUnload: vi.fn(() => release),
    print: vi.fn(),
    release,
  } satisfies BrowserActions & { release: () => void };
}

/**
 * A downloaded file's text. Which Blob a test holds depends on the runtime: Node's own (with text()) when fetch's
 * Response made it on Node 20, jsdom's (without text(), read through FileReader as a browser would) otherwise.
 */
export function readBlob(blob: Blob): Promise<string> {
  if (typeof blob.text === "function") return blob.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : "");
    reader.onerror = () => reject(reader.error ?? new Error("unreadable"));
    reader.readAsText(blob);
  });
}
