import {
  HostFeatureUnavailableError,
  type CurrentItem,
  type DialogOptions,
  type FeatureSupport,
  type HostDialog,
  type HostDiagnostics,
  type HostFeature,
  type HostTheme,
  type MailboxHost,
  type MailboxUser,
  type MailMessage,
  type MailPerson,
  type Unsubscribe,
} from "./mailboxHost";
import { forcedColorsActive, themeKindFrom } from "./theme";

/** The slice of the Office.js namespace this adapter uses; the real `Office` global and the test double both fit. */
export type OfficeApi = Pick<typeof Office, "context" | "EventType" | "MailboxEnums" | "AsyncResultStatus">;

interface RequirementGate {
  set: string;
  version: string;
  what: string;
}

/** Which requirement set turns each optional feature on (Microsoft's Outlook requirement set docs). */
const FEATURE_GATES: Record<HostFeature, RequirementGate> = {
  itemChanged: { set: "Mailbox", version: "1.5", what: "following the selection while pinned" },
  themeChanged: { set: "Mailbox", version: "1.14", what: "Office theme and theme-change events" },
  dialog: { set: "DialogApi", version: "1.1", what: "the Office dialog" },
  nestedAppAuth: { set: "NestedAppAuth", version: "1.1", what: "Nested App Authentication (sign-in through Outlook)" },
};

/** Settles an Office async call as a Promise; Office reports failures in the result, never by throwing. */
function settle<T>(office: OfficeApi, start: (callback: (result: Office.AsyncResult<T>) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    start((result) => {
      if (result.status === office.AsyncResultStatus.Succeeded) resolve(result.value);
      // Office's numeric code (e.g. 12011 from displayDialogAsync) rides along for diagnostics.
      else reject(Object.assign(new Error(result.error.message), { code: result.error.code }));
    });
  });
}

function toPerson(details: Office.EmailAddressDetails | null | undefined): MailPerson | null {
  if (!details) return null;
  return { displayName: details.displayName || details.emailAddress, emailAddress: details.emailAddress };
}

function toPeople(list: Office.EmailAddressDetails[] | null | undefined): MailPerson[] {
  return (list ?? []).flatMap((details) => toPerson(details) ?? []);
}

/** Highest Mailbox minor version probed for the reach report (Mailbox 1.15 is the newest as of 2026). */
const NEWEST_MAILBOX_MINOR = 20;

/** The pane's host inside Outlook, backed by Office.js. */
export class OfficeMailboxHost implements MailboxHost {
  readonly kind = "office";
  private readonly itemListeners = new Set<() => void>();
  private readonly themeListeners = new Set<(theme: HostTheme) => void>();
  private itemHandler: Promise<void> | null = null;
  private themeHandler: Promise<void> | null = null;

  constructor(
    private readonly office: OfficeApi,
    /** The page's query: the unified manifest opens taskpane.html?manifest=unified. */
    private readonly search: string = globalThis.location?.search ?? "",
  ) {}

  private get mailbox(): Office.Mailbox {
    return this.office.context.mailbox;
  }

  private isSupported(feature: HostFeature): boolean {
    const gate = FEATURE_GATES[feature];
    return this.office.context.requirements.isSetSupported(gate.set, gate.version);
  }

  features(): Promise<FeatureSupport[]> {
    return Promise.resolve(
      (Object.keys(FEATURE_GATES) as HostFeature[]).map((feature) => {
        const gate = FEATURE_GATES[feature];
        const supported = this.isSupported(feature);
        const reason = supported
          ? `${gate.set} ${gate.version} is supported: ${gate.what} is on`
          : `${gate.set} ${gate.version} is not supported by this Outlook, so ${gate.what} is off`;
        return { feature, supported, reason };
      }),
    );
  }

  diagnostics(): Promise<HostDiagnostics> {
    // Both diagnostics objects are missing on some older clients: report what there is.
    const info = this.office.context.diagnostics as Office.ContextInformation | undefined;
    const mailbox = this.mailbox.diagnostics as Office.Diagnostics | undefined;
    const requirements = this.office.context.requirements;
    let mailboxVersion: string | null = null;
    for (let minor = NEWEST_MAILBOX_MINOR; minor >= 1 && mailboxVersion === null; minor--) {
      if (requirements.isSetSupported("Mailbox", `1.${minor}`)) mailboxVersion = `1.${minor}`;
    }
    const manifest = new URLSearchParams(this.search).get("manifest") === "unified" ? "unified" : "xml";
    return Promise.resolve({
      client: mailbox?.hostName ? String(mailbox.hostName) : "Outlook",
      platform: info?.platform ? String(info.platform) : null,
      clientVersion: info?.version || mailbox?.hostVersion || null,
      mailboxVersion,
      nestedAppAuth: this.isSupported("nestedAppAuth"),
      manifest,
    });
  }

  async getCurrentItem(): Promise<CurrentItem> {
    const item = this.mailbox.item;
    if (!item) return { kind: "none" };
    const itemType = String(item.itemType);
    if (itemType !== String(this.office.MailboxEnums.ItemType.Message)) return { kind: "unsupported", itemType };
    // In read mode subject is a string; in compose it is an object with getAsync.
    if (typeof item.subject === "string") return { kind: "message", message: this.readMessage(item) };
    return { kind: "message", message: await this.composeMessage(item) };
  }

  private readMessage(item: Office.MessageRead): MailMessage {
    return {
      mode: "read",
      subject: item.subject,
      from: toPerson(item.from),
      to: toPeople(item.to),
      cc: toPeople(item.cc),
      itemId: item.itemId || null,
      conversationId: item.conversationId || null,
    };
  }

  private async composeMessage(item: Office.MessageCompose): Promise<MailMessage> {
    const [subject, to, cc, from, itemId] = await Promise.all([
      settle<string>(this.office, (done) => item.subject.getAsync(done)),
      settle<Office.EmailAddressDetails[]>(this.office, (done) => item.to.getAsync(done)),
      settle<Office.EmailAddressDetails[]>(this.office, (done) => item.cc.getAsync(done)),
      // from.getAsync needs Mailbox 1.7; an unsaved draft has no id (getItemIdAsync fails), both are optional.
      this.office.context.requirements.isSetSupported("Mailbox", "1.7")
        ? settle<Office.EmailAddressDetails>(this.office, (done) => item.from.getAsync(done)).catch(() => null)
        : Promise.resolve(null),
      this.office.context.requirements.isSetSupported("Mailbox", "1.8")
        ? settle<string>(this.office, (done) => item.getItemIdAsync(done)).catch(() => null)
        : Promise.resolve(null),
    ]);
    return {
      mode: "compose",
      subject,
      from: toPerson(from),
      to: toPeople(to),
      cc: toPeople(cc),
      itemId: itemId || null,
      conversationId: item.conversationId || null,
    };
  }

  getUser(): Promise<MailboxUser> {
    const profile = this.mailbox.userProfile;
    return Promise.resolve({ displayName: profile.displayName, emailAddress: profile.emailAddress });
  }

  getTheme(): Promise<HostTheme> {
    // officeTheme exists in Outlook from Mailbox 1.14; older clients get the OS preference only.
    const colours = this.isSupported("themeChanged") ? this.office.context.officeTheme : undefined;
    return Promise.resolve({ kind: themeKindFrom(colours?.bodyBackgroundColor, forcedColorsActive()) });
  }

  async onItemChanged(listener: () => void): Promise<Unsubscribe> {
    if (!this.isSupported("itemChanged")) return () => undefined;
    this.itemListeners.add(listener);
    // One Office handler fans out to every listener: removeHandlerAsync drops all handlers of a type at once.
    this.itemHandler ??= settle<void>(this.office, (done) =>
      this.mailbox.addHandlerAsync(
        this.office.EventType.ItemChanged,
        () => this.itemListeners.forEach((l) => l()),
        done,
      ),
    );
    await this.itemHandler;
    return () => this.itemListeners.delete(listener);
  }

  async onThemeChanged(listener: (theme: HostTheme) => void): Promise<Unsubscribe> {
    if (!this.isSupported("themeChanged")) return () => undefined;
    this.themeListeners.add(listener);
    this.themeHandler ??= settle<void>(this.office, (done) =>
      this.mailbox.addHandlerAsync(
        this.office.EventType.OfficeThemeChanged,
        (event: Office.OfficeThemeChangedEventArgs) => {
          const theme: HostTheme = { kind: themeKindFrom(event.officeTheme.bodyBackgroundColor, forcedColorsActive()) };
          this.themeListeners.forEach((l) => l(theme));
        },
        done,
      ),
    );
    await this.themeHandler;
    return () => this.themeListeners.delete(listener);
  }

  async openDialog(url: string, options: DialogOptions): Promise<HostDialog> {
    if (!this.isSupported("dialog")) {
      const support = (await this.features()).find((f) => f.feature === "dialog");
      throw new HostFeatureUnavailableError("dialog", support?.reason ?? "the Office dialog is not supported");
    }
    const dialog = await settle<Office.Dialog>(this.office, (done) =>
      this.office.context.ui.displayDialogAsync(
        url,
        { width: options.widthPercent, height: options.heightPercent, promptBeforeOpen: false },
        done,
      ),
    );
    return wrapDialog(this.office, dialog);
  }
}

function wrapDialog(office: OfficeApi, dialog: Office.Dialog): HostDialog {
  const messageListeners = new Set<(message: string) => void>();
  const closedListeners = new Set<(code: number) => void>();
  dialog.addEventHandler(office.EventType.DialogMessageReceived, (arg) => {
    if ("message" in arg) messageListeners.forEach((l) => l(arg.message));
  });
  dialog.addEventHandler(office.EventType.DialogEventReceived, (arg) => {
    if ("error" in arg) closedListeners.forEach((l) => l(arg.error));
  });
  return {
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClosed(listener) {
      closedListeners.add(listener);
      return () => closedListeners.delete(listener);
    },
    close: () => dialog.close(),
  };
}
