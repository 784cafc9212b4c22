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
