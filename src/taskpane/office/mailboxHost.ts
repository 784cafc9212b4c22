/**
 * What the pane needs from its host, whether that host is Outlook (Office.js) or the browser preview.
 * Views and hooks depend on this interface only; every Office.js call lives behind it in this folder.
 */

export type ItemMode = "read" | "compose";

export interface MailPerson {
  displayName: string;
  emailAddress: string;
}

export interface MailMessage {
  mode: ItemMode;
  subject: string;
  /** Null when the host cannot tell (e.g. compose before Mailbox 1.7). */
  from: MailPerson | null;
  to: MailPerson[];
  cc: MailPerson[];
  /** Null for a draft that has never been saved. */
  itemId: string | null;
  conversationId: string | null;
}

/** The item in hand: a message the sidebar can show, another kind of item, or nothing selected. */
export type CurrentItem =
  { kind: "message"; message: MailMessage } | { kind: "unsupported"; itemType: string } | { kind: "none" };

export interface MailboxUser {
  displayName: string;
  emailAddress: string;
}

export const HOST_THEME_KINDS = ["light", "dark", "highContrast"] as const;
export type HostThemeKind = (typeof HOST_THEME_KINDS)[number];

export interface HostTheme {
  kind: HostThemeKind;
}

/** Optional host capabilities, each checked against the requirement set that provides it. */
export type HostFeature = "itemChanged" | "themeChanged" | "dialog" | "nestedAppAuth";

export interface FeatureSupport {
  feature: HostFeature;
  supported: boolean;
  /** Why the feature is on or off, for diagnostics (e.g. "Mailbox 1.5 is not supported by this Outlook"). */
  reason: string;
}

/** Where the pane runs, for the admin's sidebar-reach report: client names and versions, nothing personal. */
export interface HostDiagnostics {
  /** mailbox.diagnostics.hostName ("newOutlookWindows", "Outlook", "OutlookWebApp", …); "preview" in a browser. */
  client: string;
  /** Office.context.diagnostics.platform (PC, Mac, OfficeOnline, iOS, Android, Universal); null in the preview. */
  platform: string | null;
  /** Office.context.diagnostics.version; null in the preview. */
  clientVersion: string | null;
  /** Highest Mailbox 1.x supported, e.g. "1.14"; null in the preview. */
  mailboxVersion: string | null;
  nestedAppAuth: boolean;
  /** "unified" when the page was opened from the unified manifest's URL (?manifest=unified), "xml" otherwise. */
  manifest: "unified" | "xml" | "unknown";
}

export type Unsubscribe = () => void;

export interface DialogOptions {
  /** Percent of the screen, 1-100. */
  widthPercent: number;
  heightPercent: number;
}

/** An open Office dialog: messages the dialog page sent with `messageParent`, and its closing. */
export interface HostDialog {
  onMessage(listener: (message: string) => void): Unsubscribe;
  /** Called once when the user closes the dialog or it fails to navigate; `code` is Office's event code. */
  onClosed(listener: (code: number) => void): Unsubscribe;
  close(): void;
}

export interface MailboxHost {
  /** "office" inside Outlook; "preview" in a plain browser. */
  readonly kind: "office" | "preview";
  getCurrentItem(): Promise<CurrentItem>;
  getUser(): Promise<MailboxUser>;
  getTheme(): Promise<HostTheme>;
  /** Fires when another item is selected while the pane is pinned (no-op where unsupported). */
  onItemChanged(listener: () => void): Promise<Unsubscribe>;
  onThemeChanged(listener: (theme: HostTheme) => void): Promise<Unsubscribe>;
  features(): Promise<FeatureSupport[]>;
  diagnostics(): Promise<HostDiagnostics>;
  /** Opens a page in the Office dialog; rejects with the reason when the `dialog` feature is off. */
  openDialog(url: string, options: DialogOptions): Promise<HostDialog>;
}

/** Error for a host capability that is unavailable, carrying the reason recorded by `features()`. */
export class HostFeatureUnavailableError extends Error {
  constructor(
    readonly feature: HostFeature,
    reason: string,
  ) {
    super(reason);
    this.name = "HostFeatureUnavailableError";
  }
}
