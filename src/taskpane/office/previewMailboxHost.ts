import {
  HOST_THEME_KINDS,
  HostFeatureUnavailableError,
  type CurrentItem,
  type FeatureSupport,
  type HostDiagnostics,
  type HostDialog,
  type HostTheme,
  type HostThemeKind,
  type MailboxHost,
  type MailboxUser,
  type Unsubscribe,
} from "./mailboxHost";
import { PREVIEW_SAMPLES, PREVIEW_USER, samplesFor, type PreviewSample } from "./sampleMailbox";

const DIALOG_REASON = "The Office dialog exists only inside Outlook; in a plain browser sign-in uses a popup window";

export interface PreviewOptions {
  sampleId?: string | null;
  theme?: string | null;
  /** Who owns the preview mailbox (the lab's demo admin under `npm start`); the built-in sample owner otherwise. */
  user?: MailboxUser | null;
}

/**
 * The host used when Office.onReady reports no Office host: a sample mailbox the developer switches between,
 * behaving like a pinned pane (switching raises item-changed), so the pane is fully usable in a browser.
 */
export class PreviewMailboxHost implements MailboxHost {
  readonly kind = "preview";
  readonly samples: readonly PreviewSample[];
  private selected: PreviewSample;
  private themeKind: HostThemeKind;
  private readonly user: MailboxUser;
  private readonly itemListeners = new Set<() => void>();
  private readonly themeListeners = new Set<(theme: HostTheme) => void>();
  private readonly selectionListeners = new Set<() => void>();

  constructor(options: PreviewOptions = {}, given?: readonly PreviewSample[]) {
    this.user = options.user ?? PREVIEW_USER;
    const samples = given ?? (options.user ? samplesFor(options.user) : PREVIEW_SAMPLES);
    const first = samples[0];
    if (!first) throw new Error("the preview mailbox needs at least one sample");
    this.samples = samples;
    this.selected = samples.find((sample) => sample.id === options.sampleId) ?? first;
    this.themeKind = HOST_THEME_KINDS.find((kind) => kind === options.theme) ?? "light";
  }

  get selectedSampleId(): string {
    return this.selected.id;
  }

  get themeSetting(): HostThemeKind {
    return this.themeKind;
  }

  /** Selects another sample item, as if the user clicked another message while the pane is pinned. */
  selectSample(id: string): void {
    const sample = this.samples.find((candidate) => candidate.id === id);
    if (!sample || sample === this.selected) return;
    this.selected = sample;
    this.selectionListeners.forEach((l) => l());
    this.itemListeners.forEach((l) => l());
  }

  setTheme(kind: HostThemeKind): void {
    if (kind === this.themeKind) return;
    this.themeKind = kind;
    this.selectionListeners.forEach((l) => l());
    this.themeListeners.forEach((l) => l({ kind }));
  }

  /** For the preview switcher: notified after any selection or theme change. */
  subscribe(listener: () => void): Unsubscribe {
    this.selectionListeners.add(listener);
    return () => this.selectionListeners.delete(listener);
  }

  getCurrentItem(): Promise<CurrentItem> {
    return Promise.resolve(this.selected.item);
  }

  getUser(): Promise<MailboxUser> {
    return Promise.resolve(this.user);
  }

  getTheme(): Promise<HostTheme> {
    return Promise.resolve({ kind: this.themeKind });
  }

  onItemChanged(listener: () => void): Promise<Unsubscribe> {
    this.itemListeners.add(listener);
    return Promise.resolve(() => this.itemListeners.delete(listener));
  }

  onThemeChanged(listener: (theme: HostTheme) => void): Promise<Unsubscribe> {
    this.themeListeners.add(listener);
    return Promise.resolve(() => this.themeListeners.delete(listener));
  }

  /** The browser preview says so: no Outlook client, platform or requirement sets to report. */
  diagnostics(): Promise<HostDiagnostics> {
    return Promise.resolve({
      client: "preview",
      platform: null,
      clientVersion: null,
      mailboxVersion: null,
      nestedAppAuth: false,
      manifest: "unknown",
    });
  }

  features(): Promise<FeatureSupport[]> {
    return Promise.resolve([
      {
        feature: "itemChanged",
        supported: true,
        reason: "The preview switcher raises item changes like a pinned pane",
      },
      { feature: "themeChanged", supported: true, reason: "The preview switcher sets the theme" },
      { feature: "dialog", supported: false, reason: DIALOG_REASON },
      {
        feature: "nestedAppAuth",
        supported: false,
        reason: "Nested App Authentication needs Outlook; the preview signs in with a popup",
      },
    ]);
  }

  openDialog(): Promise<HostDialog> {
    return Promise.reject(new HostFeatureUnavailableError("dialog", DIALOG_REASON));
  }
}
