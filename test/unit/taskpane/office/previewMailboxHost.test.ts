import { describe, expect, it, vi } from "vitest";
import { HostFeatureUnavailableError } from "../../../../src/taskpane/office/mailboxHost";
import { PreviewMailboxHost } from "../../../../src/taskpane/office/previewMailboxHost";
import { PREVIEW_SAMPLES } from "../../../../src/taskpane/office/sampleMailbox";

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
});
