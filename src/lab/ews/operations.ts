/**
 * The EWS operations the lab implements, as functions from a request to the response envelope. Access decisions
 * (authentication, impersonation, throttling) are made before; here only the acting mailbox's state matters.
 */
import { Directory, type DirectoryEntry } from "../directory.js";
import { escapeXml } from "../http.js";
import { asNode, attr, child, children, text, type XmlNode } from "./request.js";
import {
  EWS_TEXT,
  bareResponse,
  errorParts,
  responseMessage,
  wrappedResponse,
  type EwsError,
  type ServerVersion,
} from "./soap.js";

export interface OperationContext {
  version: ServerVersion;
  directory: Directory;
  items: ItemStore;
  /** The mailbox the request acts as (impersonated user, or the caller's own); null when the caller has none. */
  actingAs: DirectoryEntry | null;
  /** The address the caller named (impersonation header or own logon), to report in errors. */
  actingAddress: string;
}

/** Items created through CreateItem, so DeleteItem can find them again; bounded to keep long runs flat. */
export class ItemStore {
  private readonly items = new Map<string, string>();
  private counter = 0;

  add(mailbox: string): string {
    if (this.items.size >= 100_000) this.items.clear();
    const id = Buffer.from(`lab-item:${mailbox}:${++this.counter}`).toString("base64");
    this.items.set(id, mailbox);
    return id;
  }

  remove(id: string, mailbox: string): boolean {
    if (this.items.get(id) !== mailbox) return false;
    return this.items.delete(id);
  }
}

/** The error a mailbox in this state answers with, or null when it works. */
export function mailboxError(entry: DirectoryEntry | null | undefined, address: string): EwsError | null {
  if (!entry)
    return {
      code: "ErrorNonExistentMailbox",
      text: EWS_TEXT.ErrorNonExistentMailbox,
      values: [["SmtpAddress", address]],
    };
  // A mailbox moved to Exchange Online leaves a remote mailbox on-premises: EWS there finds no mailbox for it.
  if (Directory.inCloud(entry))
    return {
      code: "ErrorNonExistentMailbox",
      text: EWS_TEXT.ErrorNonExistentMailbox,
      values: [["SmtpAddress", address]],
    };
  switch (entry.mailbox) {
    case "ok":
    case "kiosk":
      return null;
    case "none":
    case "unresolved":
      return {
        code: "ErrorNonExistentMailbox",
        text: EWS_TEXT.ErrorNonExistentMailbox,
        values: [["SmtpAddress", entry.email]],
      };
    case "disabled":
      return { code: "ErrorAccountDisabled", text: EWS_TEXT.ErrorAccountDisabled };
    case "moving":
      return { code: "ErrorMailboxMoveInProgress", text: EWS_TEXT.ErrorMailboxMoveInProgress };
    case "unavailable":
      return { code: "ErrorMailboxStoreUnavailable", text: EWS_TEXT.ErrorMailboxStoreUnavailable };
    case "alias":
      return {
        code: "ErrorNonPrimarySmtpAddress",
        text: EWS_TEXT.ErrorNonPrimarySmtpAddress,
        values: [["Primary", entry.primarySmtpAddress ?? entry.email]],
      };
  }
}

const FOLDER_ELEMENT: Record<string, string> = {
  calendar: "CalendarFolder",
  contacts: "ContactsFolder",
  tasks: "TasksFolder",
};
const FOLDER_NAMES: Record<string, string> = {
  msgfolderroot: "Top of Information Store",
  inbox: "Inbox",
  sentitems: "Sent Items",
  drafts: "Drafts",
  deleteditems: "Deleted Items",
  calendar: "Calendar",
  contacts: "Contacts",
  tasks: "Tasks",
  root: "Root",
};

function folderId(mailbox: string, folder: string): string {
  return Buffer.from(`lab-folder:${mailbox}:${folder}`).toString("base64");
}

/** The distinguished folders asked for, each with an optional explicit mailbox. */
function requestedFolders(body: XmlNode): Array<{ id: string; mailbox?: string }> {
  const ids = child(body, "FolderIds");
  const distinguished = children(ids, "DistinguishedFolderId").map((raw) => {
    const node = asNode(raw);
    const mailbox = text(child(child(node, "Mailbox"), "EmailAddress")).toLowerCase();
    return mailbox ? { id: attr(node, "Id") ?? "", mailbox } : { id: attr(node, "Id") ?? "" };
  });
  const plain = children(ids, "FolderId").map((raw) => ({ id: `id:${attr(asNode(raw), "Id") ?? ""}` }));
  return [...distinguished, ...plain];
}

export function getFolder(ctx: OperationContext, body: XmlNode): string {
  const shape = text(child(child(body, "FolderShape"), "BaseShape")) || "Default";
  const messages = requestedFolders(body).map(({ id, mailbox }) => {
    let target = ctx.actingAs;
    let address = ctx.actingAddress;
    if (mailbox) {
      address = mailbox;
      target = ctx.directory.find(mailbox) ?? null;
      // Naming another mailbox needs rights to it; the lab grants that only to the mailbox itself or impersonation.
      if (target && ctx.actingAs && target.email !== ctx.actingAs.email) {
        return responseMessage("GetFolderResponseMessage", {
          ok: false,
          error: { code: "ErrorAccessDenied", text: EWS_TEXT.ErrorAccessDenied },
          payload: "<m:Folders/>",
        });
      }
    } else if (!target) {
      return responseMessage("GetFolderResponseMessage", {
        ok: false,
        error: { code: "ErrorMissingEmailAddress", text: EWS_TEXT.ErrorMissingEmailAddress },
        payload: "<m:Folders/>",
      });
    }
    const error = mailboxError(target, address);
    if (error) return responseMessage("GetFolderResponseMessage", { ok: false, error, payload: "<m:Folders/>" });
    const owner = target?.email ?? address;
    const folderKey = id.startsWith("id:") ? "inbox" : id;
    if (!FOLDER_NAMES[folderKey]) {
      return responseMessage("GetFolderResponseMessage", {
        ok: false,
        error: { code: "ErrorInvalidIdMalformed", text: EWS_TEXT.ErrorInvalidIdMalformed },
        payload: "<m:Folders/>",
      });
    }
    const element = FOLDER_ELEMENT[folderKey] ?? "Folder";
    const details =
      shape === "IdOnly"
        ? ""
        : `<t:DisplayName>${FOLDER_NAMES[folderKey]}</t:DisplayName><t:TotalCount>0</t:TotalCount><t:ChildFolderCount>0</t:ChildFolderCount>` +
          (element === "Folder" ? "<t:UnreadCount>0</t:UnreadCount>" : "");
    return responseMessage("GetFolderResponseMessage", {
      ok: true,
      payload: `<m:Folders><t:${element}><t:FolderId Id="${folderId(owner, folderKey)}" ChangeKey="AQAAAA=="/>${details}</t:${element}></m:Folders>`,
    });
  });
  return wrappedResponse(ctx.version, "GetFolder", messages.join(""));
}

function actingError(ctx: OperationContext): EwsError | null {
  if (!ctx.actingAs) return { code: "ErrorMissingEmailAddress", text: EWS_TEXT.ErrorMissingEmailAddress };
  return mailboxError(ctx.actingAs, ctx.actingAddress);
}

export function createItem(ctx: OperationContext, body: XmlNode): string {
  const items = child(body, "Items");
  const count = Math.max(1, children(items, "Message").length + children(items, "Item").length);
  const error = actingError(ctx);
  const messages = Array.from({ length: count }, () => {
    if (error || !ctx.actingAs) {
      return responseMessage("CreateItemResponseMessage", {
        ok: false,
        error: error ?? { code: "ErrorAccessDenied", text: EWS_TEXT.ErrorAccessDenied },
        payload: "<m:Items/>",
      });
    }
    const id = ctx.items.add(ctx.actingAs.email);
    return responseMessage("CreateItemResponseMessage", {
      ok: true,
      payload: `<m:Items><t:Message><t:ItemId Id="${id}" ChangeKey="CQAAAA=="/></t:Message></m:Items>`,
    });
  });
  return wrappedResponse(ctx.version, "CreateItem", messages.join(""));
}

export function deleteItem(ctx: OperationContext, body: XmlNode): string {
  const ids = children(child(body, "ItemIds"), "ItemId").map((raw) => attr(asNode(raw), "Id") ?? "");
  const error = actingError(ctx);
  const messages = (ids.length ? ids : [""]).map((id) => {
    if (error || !ctx.actingAs) {
      return responseMessage("DeleteItemResponseMessage", {
        ok: false,
        error: error ?? { code: "ErrorAccessDenied", text: EWS_TEXT.ErrorAccessDenied },
        payload: "",
      });
    }
    if (!ctx.items.remove(id, ctx.actingAs.email)) {
      return responseMessage("DeleteItemResponseMessage", {
        ok: false,
        error: { code: "ErrorItemNotFound", text: EWS_TEXT.ErrorItemNotFound },
        payload: "",
      });
    }
    return responseMessage("DeleteItemResponseMessage", { ok: true, payload: "" });
  });
  return wrappedResponse(ctx.version, "DeleteItem", messages.join(""));
}

function address(name: string, email: string, mailboxType: string): string {
  return `<t:Name>${escapeXml(name)}</t:Name><t:EmailAddress>${escapeXml(email)}</t:EmailAddress><t:RoutingType>SMTP</t:RoutingType><t:MailboxType>${mailboxType}</t:MailboxType>`;
}

function roomsError(ctx: OperationContext): EwsError | null {
  // Rooms are read in the context of a licensed mailbox: the caller's own, or the impersonated user's.
  if (!ctx.actingAs || ctx.actingAs.mailbox === "none")
    return { code: "ErrorNonExistentMailbox", text: EWS_TEXT.RoomsNeedMailbox };
  return mailboxError(ctx.actingAs, ctx.actingAddress);
}

function bareError(ctx: OperationContext, operation: string, error: EwsError): string {
  return bareResponse(
    ctx.version,
    operation,
    `<m:${operation}Response ResponseClass="Error">${errorParts(error)}</m:${operation}Response>`,
  );
}

export function getRoomLists(ctx: OperationContext): string {
  const error = roomsError(ctx);
  if (error) return bareError(ctx, "GetRoomLists", error);
  const lists = ctx.directory.scenario.roomLists
    .map((l) => `<t:Address>${address(l.displayName, l.email, "PublicDL")}</t:Address>`)
    .join("");
  return bareResponse(
    ctx.version,
    "GetRoomLists",
    `<m:GetRoomListsResponse ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:RoomLists>${lists}</m:RoomLists></m:GetRoomListsResponse>`,
  );
}

export function getRooms(ctx: OperationContext, body: XmlNode): string {
  const error = roomsError(ctx);
  if (error) return bareError(ctx, "GetRooms", error);
  const list = text(child(child(body, "RoomList"), "EmailAddress")).toLowerCase();
  if (!ctx.directory.scenario.roomLists.some((l) => l.email === list)) {
    return bareError(ctx, "GetRooms", {
      code: "ErrorNameResolutionNoResults",
      text: EWS_TEXT.ErrorNameResolutionNoResults,
    });
  }
  const rooms = ctx.directory.scenario.rooms
    .filter((room) => room.roomList === list)
    .map((room) => `<t:Room><t:Id>${address(room.displayName, room.email, "Mailbox")}</t:Id></t:Room>`)
    .join("");
  return bareResponse(
    ctx.version,
    "GetRooms",
    `<m:GetRoomsResponse ResponseClass="Success"><m:ResponseCode>NoError</m:ResponseCode><m:Rooms>${rooms}</m:Rooms></m:GetRoomsResponse>`,
  );
}

export function resolveNames(ctx: OperationContext, body: XmlNode): string {
  const entry = text(child(body, "UnresolvedEntry")).toLowerCase();
  const wanted = entry.replace(/^smtp:/, "");
  // The bare "SMTP:" prefix matches every mail-enabled recipient's SMTP proxy address, as Exchange's ANR does; the
  // directory listing the product reads. Exchange stops at 100 resolutions.
  const everyone = entry === "smtp:";
  const all = everyone
    ? [...ctx.directory.byEmail.values()].filter(
        (e) => e.kind !== "room" && e.mailbox !== "none" && e.mailbox !== "alias",
      )
    : wanted
      ? [...ctx.directory.byEmail.values()].filter(
          (e) => e.email.startsWith(wanted) || e.displayName.toLowerCase().startsWith(wanted),
        )
      : [];
  const matches = all.slice(0, 100);
  const fullContact = attr(body, "ReturnFullContactData") === "true";
  const aliasesOf = (email: string): string[] =>
    ctx.directory.scenario.users.filter((u) => u.primarySmtpAddress === email).map((u) => u.email);
  const contact = (e: { email: string; displayName: string }): string => {
    if (!fullContact) return "";
    const addresses = [`SMTP:${e.email}`, ...aliasesOf(e.email).map((alias) => `smtp:${alias}`)].slice(0, 3);
    const entries = addresses.map((a, i) => `<t:Entry Key="EmailAddress${i + 1}">${escapeXml(a)}</t:Entry>`).join("");
    return `<t:Contact><t:DisplayName>${escapeXml(e.displayName)}</t:DisplayName><t:EmailAddresses>${entries}</t:EmailAddresses></t:Contact>`;
  };
  if (matches.length === 0) {
    return wrappedResponse(
      ctx.version,
      "ResolveNames",
      responseMessage("ResolveNamesResponseMessage", {
        ok: false,
        error: { code: "ErrorNameResolutionNoResults", text: EWS_TEXT.ErrorNameResolutionNoResults },
        payload: "",
      }),
    );
  }
  const set =
    `<m:ResolutionSet TotalItemsInView="${all.length}" IncludesLastItemInRange="${matches.length === all.length}">` +
    matches
      .map(
        (e) =>
          `<t:Resolution><t:Mailbox>${address(e.displayName, e.email, "Mailbox")}</t:Mailbox>${contact(e)}</t:Resolution>`,
      )
      .join("") +
    "</m:ResolutionSet>";
  const outcome =
    matches.length === 1
      ? ({ ok: true, payload: set } as const)
      : ({
          ok: false,
          error: {
            code: "ErrorNameResolutionMultipleResults",
            text: EWS_TEXT.ErrorNameResolutionMultipleResults,
            responseClass: "Warning",
          },
          payload: set,
        } as const);
  return wrappedResponse(ctx.version, "ResolveNames", responseMessage("ResolveNamesResponseMessage", outcome));
}

export const OPERATIONS = [
  "GetFolder",
  "CreateItem",
  "DeleteItem",
  "GetRoomLists",
  "GetRooms",
  "ResolveNames",
] as const;
