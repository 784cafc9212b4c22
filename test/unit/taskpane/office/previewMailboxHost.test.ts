import { describe, expect, it, vi } from "vitest";
import { HostFeatureUnavailableError } from "../../../../src/taskpane/office/mailboxHost";
import { PreviewMailboxHost } from "../../../../src/taskpane/office/previewMailboxHost";
import { PREVIEW_SAMPLES, PREVIEW_USER, parsePreviewUser } from "../../../../src/taskpane/office/sampleMailbox";

describe("PreviewMailboxHost", () => {
  it("offers a sample mailbox covering read, compose, unsupported and empty items", () => {
    const kinds = PREVIEW_SAMPLES.map((sample) =>
      sample.item.kind === "message" ? sample.item.message.mode : sample.item.kind,
    );
    expect(new Set(kinds)).toEqual(new Set(["read", "compose", "unsupported", "none"]));
  });

  it("starts on the first sample and switches like a pinned pane, raising item-changed", async () => {
    const host = new PreviewMailboxHost();
    const changed = vi.fn();
    await host.onItemChanged(changed);

    expect(host.selectedSampleId).toBe(PREVIEW_SAMPLES[0]!.id);
    host.selectSample("meeting");
    host.selectSample("meeting");

    expect(changed).toHaveBeenCalledTimes(1);
    await expect(host.getCurrentItem()).resolves.toEqual({ kind: "unsupported", itemType: "appointment" });
  });

  it("ignores unknown sample ids and themes from the URL", async () => {
    const host = new PreviewMailboxHost({ sampleId: "nope", theme: "sepia" });

    expect(host.selectedSampleId).toBe(PREVIEW_SAMPLES[0]!.id);
    await expect(host.getTheme()).resolves.toEqual({ kind: "light" });
  });

  it("reports theme changes to listeners", async () => {
    const host = new PreviewMailboxHost();
    const listener = vi.fn();
    await host.onThemeChanged(listener);

    host.setTheme("highContrast");

    expect(listener).toHaveBeenCalledWith({ kind: "highContrast" });
  });

  it("has no Office dialog and says why", async () => {
    const host = new PreviewMailboxHost();

    const dialog = (await host.features()).find((f) => f.feature === "dialog");

    expect(dialog?.supported).toBe(false);
    await expect(host.openDialog()).rejects.toBeInstanceOf(HostFeatureUnavailableError);
  });

  it("belongs to the mailbox npm start names, with the sample colleagues moved to that domain", async () => {
    const user = parsePreviewUser("Megan Bowen <megan.bowen@contoso.lab>");
    const host = new PreviewMailboxHost({ user });

    await expect(host.getUser()).resolves.toEqual({
      displayName: "Megan Bowen",
      emailAddress: "megan.bowen@contoso.lab",
    });
    const item = await host.getCurrentItem();
    if (item.kind !== "message") throw new Error(`expected the first sample to be a message, got ${item.kind}`);
    expect(item.message.to).toEqual([{ displayName: "Megan Bowen", emailAddress: "megan.bowen@contoso.lab" }]);
    expect(item.message.cc.map((person) => person.emailAddress)).toEqual([
      "alex.wilber@contoso.lab",
      "lynne.robbins@fabrikam.example",
    ]);
  });

  it("keeps its built-in owner when the named mailbox is absent or malformed", async () => {
    for (const value of [undefined, "", "megan.bowen@contoso.lab", "Megan <not an address>"]) {
      expect(parsePreviewUser(value), String(value)).toBeNull();
    }
    await expect(new PreviewMailboxHost({ user: null }).getUser()).resolves.toEqual(PREVIEW_USER);
  });
});
