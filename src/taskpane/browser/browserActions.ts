/**
 * The browser's own actions (pop-up windows, the clipboard, file downloads, the "leave site?" prompt) behind one
 * small interface, the way Office.js sits behind office/: components call useBrowser(), tests inject a fake.
 */
import { createContext, createElement, useContext, useMemo, type ReactNode } from "react";
import type { FetchedFile } from "../backend/client";

export interface BrowserActions {
  /** The pane's own origin, e.g. for a redirect URI on this server. */
  readonly origin: string;
  /** Opens a named pop-up window; false when the browser blocked it. */
  openPopup(url: string, name: string, features: string): boolean;
  /** Rejects when the browser refuses (no permission, no secure context). */
  copyText(text: string): Promise<void>;
  /** Saves a file fetched with the bearer token (a plain link could not send the Authorization header). */
  saveFile(file: FetchedFile): void;
  /** The browser's own "leave site?" prompt when the window closes, until the returned function is called. */
  guardUnload(): () => void;
  /** The browser's print dialog for the page (a print stylesheet decides what is on paper). */
  print(): void;
}

export function windowBrowserActions(target: Window = window): BrowserActions {
  return {
    origin: target.location.origin,
    openPopup: (url, name, features) => target.open(url, name, features) !== null,
    copyText: async (text) => {
      if (!target.navigator.clipboard) throw new Error("this browser offers no clipboard here");
      await target.navigator.clipboard.writeText(text);
    },
    saveFile: ({ blob, filename }) => {
      const url = URL.createObjectURL(blob);
      const link = target.document.createElement("a");
      link.href = url;
      link.download = filename;
      link.style.display = "none";
      target.document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    },
    guardUnload: () => {
      const guard = (event: BeforeUnloadEvent) => {
        event.preventDefault();
        event.returnValue = "";
      };
      target.addEventListener("beforeunload", guard);
      return () => target.removeEventListener("beforeunload", guard);
    },
    print: () => target.print(),
  };
}

const BrowserContext = createContext<BrowserActions | null>(null);

/** Provides the browser's actions: this window's unless a test passes its own. */
export function BrowserProvider({ browser, children }: { browser?: BrowserActions; children: ReactNode }) {
  const value = useMemo(() => browser ?? windowBrowserActions(), [browser]);
  return createElement(BrowserContext.Provider, { value }, children);
}

export function useBrowser(): BrowserActions {
  const browser = useContext(BrowserContext);
  if (!browser) throw new Error("useBrowser must be used inside <BrowserProvider>");
  return browser;
}
