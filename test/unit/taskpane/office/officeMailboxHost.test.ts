import { describe, expect, it, vi } from "vitest";
import { connectHost } from "../../../../src/taskpane/office/connectHost";
import { HostFeatureUnavailableError } from "../../../../src/taskpane/office/mailboxHost";
import { OfficeMailboxHost } from "../../../../src/taskpane/office/officeMailboxHost";
import { PreviewMailboxHost } from "../../../../src/taskpane/office/previewMailboxHost";
import { appointment, composeMessage, double, readMessage } from "../../../setup/officeDouble";

const adele = { displayName: "Adele Vance", emailAddress: "adele.vance@fabrikam.example" };
const alex = { displayName: "Alex Wilber", emailAddress: "alex.wilber@contoso.example" };
const lynne = { displayName: "", emailAddress: "lynne.robbins@fabrikam.example" };

function officeHost(): OfficeMailboxHost {
  return new OfficeMailboxHost(globalThis.Office);
}

describe("OfficeMailboxHost", () => {
  it("reads a message in read mode with its sender, recipients and ids", async () => {
    double.item = readMessage({
      subject: "Contract renewal",
      from: adele,
      to: [alex],
      cc: [lynne],
      itemId: "item-1",
      conversationId: "conv-1",
    });

    await expect(officeHost().getCurrentItem()).resolves.toEqual({
      kind: "message",
      message: {
        mode: "read",
        subject: "Contract renewal",
        from: adele,
        to: [alex],
        // A recipient without a display name is shown by address.
        cc: [{ displayName: lynne.emailAddress, emailAddress: lynne.emailAddress }],
        itemId: "item-1",
        conversationId: "conv-1",
      },
    });
  });

  it("reads a draft in compose mode through the async getters, with no id while unsaved", async () => {
    double.item = composeMessage({ subject: "RE: Agenda", from: alex, to: [adele], cc: [], conversationId: "conv-2" });

    const current = await officeHost().getCurrentItem();

    expect(current).toEqual({
      kind: "message",
      message: {
        mode: "compose",
        subject: "RE: Agenda",
        from: alex,
        to: [adele],
        cc: [],
        itemId: null,
        conversationId: "conv-2",
      },
    });
  });

  it("leaves the draft's sender unknown when the client lacks Mailbox 1.7", async () => {
    double.sets = { Mailbox: "1.5" };
    double.item = composeMessage({ subject: "Hello", from: alex, to: [], cc: [], itemId: "saved-id" });

    const current = await officeHost().getCurrentItem();

    expect(current.kind === "message" && current.message.from).toBeNull();
    expect(current.kind === "message" && current.message.itemId).toBeNull();
  });

  it("reports a meeting as unsupported and no selection as none", async () => {
    double.item = appointment("Weekly sync");
    await expect(officeHost().getCurrentItem()).resolves.toEqual({ kind: "unsupported", itemType: "appointment" });

    double.item = null;
    await expect(officeHost().getCurrentItem()).resolves.toEqual({ kind: "none" });
  });

  it("returns the signed-in user's name and address", async () => {
    await expect(officeHost().getUser()).resolves.toEqual({
      displayName: "Megan Bowen",
      emailAddress: "megan.bowen@contoso.example",
    });
  });

  it("notifies every listener when a pinned pane's item changes, through a single Office handler", async () => {
    const host = officeHost();
    const first = vi.fn();
    const second = vi.fn();
    const stopFirst = await host.onItemChanged(first);
    await host.onItemChanged(second);

    double.selectItem(readMessage({ subject: "Next", from: adele, to: [], cc: [] }));
    stopFirst();
    double.selectItem(null);

    expect(double.handlerCount("ItemChanged")).toBe(1);
    expect(first).toHaveBeenCalledTimes(1);
    expect(second).toHaveBeenCalledTimes(2);
  });

  it("does not subscribe to item changes without Mailbox 1.5 and says why", async () => {
    double.sets = { Mailbox: "1.4", DialogApi: "1.1" };
    const host = officeHost();

    await host.onItemChanged(vi.fn());
    const itemChanged = (await host.features()).find((f) => f.feature === "itemChanged");

    expect(double.handlerCount("ItemChanged")).toBe(0);
    expect(itemChanged).toEqual({
      feature: "itemChanged",
      supported: false,
      reason: expect.stringContaining("Mailbox 1.5 is not supported") as unknown,
    });
  });

  it("derives the theme from Office's colours and follows theme changes", async () => {
    double.theme = { bodyBackgroundColor: "#1f1f1f", bodyForegroundColor: "#ffffff" };
    const host = officeHost();
    await expect(host.getTheme()).resolves.toEqual({ kind: "dark" });

    const listener = vi.fn();
    await host.onThemeChanged(listener);
    double.changeTheme("#ffffff");

    expect(listener).toHaveBeenCalledWith({ kind: "light" });
  });

  it("ignores Office's theme colours before Mailbox 1.14", async () => {
    double.sets = { Mailbox: "1.13" };
    double.theme = { bodyBackgroundColor: "#000000", bodyForegroundColor: "#ffffff" };

    await expect(officeHost().getTheme()).resolves.toEqual({ kind: "light" });
  });

  it("opens the Office dialog and relays its messages and closing", async () => {
    const dialog = await officeHost().openDialog("https://localhost:4443/sign-in", {
      widthPercent: 40,
      heightPercent: 60,
    });
    const messages: string[] = [];
    const closes: number[] = [];
    dialog.onMessage((m) => messages.push(m));
    dialog.onClosed((code) => closes.push(code));

    const opened = double.dialogs[0]!;
    opened.sendMessage('{"status":"signed-in"}');
    opened.userCloses();
    dialog.close();

    expect(opened.url).toBe("https://localhost:4443/sign-in");
    expect(opened.options).toMatchObject({ width: 40, height: 60 });
    expect(messages).toEqual(['{"status":"signed-in"}']);
    expect(closes).toEqual([12006]);
    expect(opened.closed).toBe(true);
  });

  it("refuses to open a dialog without DialogApi 1.1, naming the missing requirement set", async () => {
    double.sets = { Mailbox: "1.14" };

    const attempt = officeHost().openDialog("https://localhost:4443/sign-in", { widthPercent: 40, heightPercent: 60 });

    await expect(attempt).rejects.toBeInstanceOf(HostFeatureUnavailableError);
    await expect(attempt).rejects.toThrow(/DialogApi 1.1 is not supported/);
    expect(double.dialogs).toHaveLength(0);
  });
});

describe("connectHost", () => {
  it("uses Office.js when Office reports the Outlook host", async () => {
    const { host, preview } = await connectHost();

    expect(host).toBeInstanceOf(OfficeMailboxHost);
    expect(preview).toBeNull();
  });

  it("falls back to the browser preview when Office reports no host, honouring ?sample and ?theme", async () => {
    double.host = null;

    const { host, preview } = await connectHost(undefined, "?sample=draft&theme=dark");

    expect(host).toBeInstanceOf(PreviewMailboxHost);
    expect(preview?.selectedSampleId).toBe("draft");
    await expect(host.getTheme()).resolves.toEqual({ kind: "dark" });
  });
});
