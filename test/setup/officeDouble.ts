/**
 * The one Office.js test double: installed as the global `Office` by test/setup/dom.ts, reset before every test.
 * Tests swap the mail item, the supported requirement sets and the theme, and fire host events through it.
 */

interface Address {
  displayName: string;
  emailAddress: string;
}

type Callback<T> = (
  result: { status: "succeeded"; value: T } | { status: "failed"; error: { message: string } },
) => void;
type Handler = (arg: unknown) => void;

const EventType = {
  ItemChanged: "olkItemSelectedChanged",
  OfficeThemeChanged: "officeThemeChanged",
  DialogMessageReceived: "dialogMessageReceived",
  DialogEventReceived: "dialogEventReceived",
} as const;

function succeed<T>(callback: Callback<T> | undefined, value: T): void {
  // Office calls back asynchronously; so does the double, to catch code that assumes otherwise.
  queueMicrotask(() => callback?.({ status: "succeeded", value }));
}

function fail(callback: Callback<never> | undefined, message: string): void {
  queueMicrotask(() => callback?.({ status: "failed", error: { message } }));
}

export interface MessageFields {
  subject: string;
  from: Address | null;
  to: Address[];
  cc: Address[];
  itemId?: string | null;
  conversationId?: string | null;
}

/** A message in read mode: properties are plain values. */
export function readMessage(fields: MessageFields): object {
  return {
    itemType: "message",
    subject: fields.subject,
    from: fields.from,
    to: fields.to,
    cc: fields.cc,
    itemId: fields.itemId ?? "read-item-id",
    conversationId: fields.conversationId ?? "read-conversation-id",
  };
}

/** A message in compose mode: properties are read with getAsync; an unsaved draft has no item id. */
export function composeMessage(fields: MessageFields): object {
  const getter = <T>(value: T) => ({ getAsync: (callback: Callback<T>) => succeed(callback, value) });
  return {
    itemType: "message",
    subject: getter(fields.subject),
    from: getter(fields.from),
    to: getter(fields.to),
    cc: getter(fields.cc),
    conversationId: fields.conversationId ?? null,
    getItemIdAsync: (callback: Callback<string>) =>
      fields.itemId ? succeed(callback, fields.itemId) : fail(callback, "The item has not been saved."),
  };
}

export function appointment(subject: string): object {
  return { itemType: "appointment", subject };
}

export interface OpenedDialog {
  url: string;
  options: { width?: number; height?: number };
  closed: boolean;
  /** Simulates the dialog page calling Office.context.ui.messageParent. */
  sendMessage(message: string): void;
  /** Simulates the user closing the dialog (Office event code 12006). */
  userCloses(): void;
}

const DEFAULT_SETS: Record<string, string> = { Mailbox: "1.14", DialogApi: "1.1" };

function versionAtLeast(supported: string, wanted: string): boolean {
  const [a, b] = [supported, wanted].map((v) => v.split(".").map(Number)) as [number[], number[]];
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference > 0;
  }
  return true;
}

class OfficeDouble {
  host: string | null = "Outlook";
  item: object | null = null;
  sets: Record<string, string> = { ...DEFAULT_SETS };
  theme = { bodyBackgroundColor: "#ffffff", bodyForegroundColor: "#000000" };
  user: Address = { displayName: "Megan Bowen", emailAddress: "megan.bowen@contoso.example" };
  readonly handlers = new Map<string, Handler[]>();
  readonly dialogs: OpenedDialog[] = [];

  /** The object installed as the global `Office`. */
  readonly office = {
    EventType,
    AsyncResultStatus: { Succeeded: "succeeded", Failed: "failed" },
    MailboxEnums: { ItemType: { Message: "message", Appointment: "appointment" } },
    HostType: { Outlook: "Outlook" },
    onReady: () => Promise.resolve({ host: this.host, platform: this.host ? "PC" : null }),
    context: {
      requirements: {
        isSetSupported: (name: string, version = "1.1") => {
          const supported = this.sets[name];
          return supported !== undefined && versionAtLeast(supported, version);
        },
      },
      get officeTheme() {
        return double.theme;
      },
      mailbox: {
        get item() {
          return double.item;
        },
        get userProfile() {
          return double.user;
        },
        addHandlerAsync: (type: string, handler: Handler, callback?: Callback<void>) => {
          this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
          succeed(callback, undefined);
        },
        removeHandlerAsync: (type: string, callback?: Callback<void>) => {
          this.handlers.delete(type);
          succeed(callback, undefined);
        },
      },
      ui: {
        displayDialogAsync: (url: string, options: { width?: number; height?: number }, callback: Callback<unknown>) =>
          this.openDialog(url, options, callback),
      },
    },
  };

  reset(): void {
    this.host = "Outlook";
    this.item = null;
    this.sets = { ...DEFAULT_SETS };
    this.theme = { bodyBackgroundColor: "#ffffff", bodyForegroundColor: "#000000" };
    this.handlers.clear();
    this.dialogs.length = 0;
  }

  /** Selects another item as Outlook does for a pinned pane: swaps it and raises ItemChanged. */
  selectItem(item: object | null): void {
    this.item = item;
    this.fire(EventType.ItemChanged, { type: EventType.ItemChanged });
  }

  changeTheme(bodyBackgroundColor: string): void {
    this.theme = { ...this.theme, bodyBackgroundColor };
    this.fire(EventType.OfficeThemeChanged, { type: EventType.OfficeThemeChanged, officeTheme: this.theme });
  }

  handlerCount(type: keyof typeof EventType): number {
    return this.handlers.get(EventType[type])?.length ?? 0;
  }

  private fire(type: string, arg: unknown): void {
    for (const handler of this.handlers.get(type) ?? []) handler(arg);
  }

  private openDialog(url: string, options: { width?: number; height?: number }, callback: Callback<unknown>): void {
    const dialogHandlers = new Map<string, Handler>();
    const opened: OpenedDialog = {
      url,
      options,
      closed: false,
      sendMessage: (message) => dialogHandlers.get(EventType.DialogMessageReceived)?.({ message, origin: url }),
      userCloses: () => dialogHandlers.get(EventType.DialogEventReceived)?.({ error: 12006 }),
    };
    this.dialogs.push(opened);
    succeed(callback, {
      addEventHandler: (type: string, handler: Handler) => dialogHandlers.set(type, handler),
      close: () => {
        opened.closed = true;
      },
    });
  }
}

export const double = new OfficeDouble();
