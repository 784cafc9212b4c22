import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../../../src/taskpane/App";
import { OfficeMailboxHost } from "../../../src/taskpane/office/officeMailboxHost";
import { PreviewMailboxHost } from "../../../src/taskpane/office/previewMailboxHost";
import { appointment, composeMessage, double, readMessage } from "../../setup/officeDouble";

const adele = { displayName: "Adele Vance", emailAddress: "adele.vance@fabrikam.example" };
const alex = { displayName: "Alex Wilber", emailAddress: "alex.wilber@contoso.example" };
const lynne = { displayName: "Lynne Robbins", emailAddress: "lynne.robbins@fabrikam.example" };
const diego = { displayName: "Diego Siciliani", emailAddress: "diego.siciliani@contoso.example" };

function renderInOutlook() {
  const host = new OfficeMailboxHost(globalThis.Office);
  return render(<App host={host} preview={null} />);
}

function peopleUnder(heading: string): string[] {
  const section = screen.getByRole("region", { name: heading });
  return within(section)
    .getAllByRole("listitem")
    .map((item) => item.textContent ?? "");
}

describe("Sidebar", () => {
  it("shows the message's subject, sender and recipients as people cards", async () => {
    double.item = readMessage({ subject: "Contract renewal", from: adele, to: [alex], cc: [lynne] });

    renderInOutlook();

    expect(await screen.findByRole("heading", { level: 2, name: "This message" })).toBeInTheDocument();
    expect(screen.getByText("Contract renewal")).toBeInTheDocument();
    expect(peopleUnder("From")).toEqual([expect.stringContaining("Adele Vance")]);
    expect(peopleUnder("From")[0]).toContain("adele.vance@fabrikam.example");
    expect(peopleUnder("To")).toEqual([expect.stringContaining("Alex Wilber")]);
    expect(peopleUnder("Cc")).toEqual([expect.stringContaining("Lynne Robbins")]);
    expect(screen.getByTestId("mailbox-owner")).toHaveTextContent("Mailbox: Megan Bowen");
  });

  it("follows the selection while pinned and announces the new message", async () => {
    double.item = readMessage({ subject: "First", from: adele, to: [alex], cc: [] });
    renderInOutlook();
    await screen.findByText("First");

    act(() => double.selectItem(readMessage({ subject: "Second", from: diego, to: [lynne], cc: [] })));

    expect(await screen.findByText("Second")).toBeInTheDocument();
    expect(screen.queryByText("First")).not.toBeInTheDocument();
    expect(peopleUnder("From")).toEqual([expect.stringContaining("Diego Siciliani")]);
    expect(screen.getByRole("status")).toHaveTextContent("Showing message: Second");
  });

  it("explains an empty selection", async () => {
    renderInOutlook();

    expect(await screen.findByRole("heading", { name: "No message selected" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent("No message selected");
    expect(screen.queryByRole("list")).not.toBeInTheDocument();
  });

  it("explains that a meeting is not supported", async () => {
    double.item = appointment("Weekly sync");

    renderInOutlook();

    expect(await screen.findByRole("heading", { name: "This item isn't a message" })).toBeInTheDocument();
    expect(screen.queryByText("Weekly sync")).not.toBeInTheDocument();
  });

  it("marks a draft being composed and omits empty recipient lists", async () => {
    double.item = composeMessage({ subject: "RE: Agenda", from: alex, to: [adele], cc: [] });

    renderInOutlook();

    expect(await screen.findByRole("heading", { name: "This draft" })).toBeInTheDocument();
    expect(screen.getByText("Draft")).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Cc" })).not.toBeInTheDocument();
  });

  it("shows why a message could not be read", async () => {
    double.item = {
      itemType: "message",
      subject: { getAsync: (cb: (r: object) => void) => cb({ status: "failed", error: { message: "Item is busy" } }) },
      to: { getAsync: () => undefined },
      cc: { getAsync: () => undefined },
    };

    renderInOutlook();

    expect(await screen.findByRole("heading", { name: "The message could not be read" })).toBeInTheDocument();
    expect(screen.getByText(/Item is busy/)).toBeInTheDocument();
  });

  it("has a main landmark titled by the product name and no preview controls inside Outlook", async () => {
    renderInOutlook();

    expect(await screen.findByRole("main", { name: "Sync Sidebar" })).toBeInTheDocument();
    expect(screen.getByRole("heading", { level: 1, name: "Sync Sidebar" })).toBeInTheDocument();
    expect(screen.queryByRole("complementary", { name: "Browser preview" })).not.toBeInTheDocument();
  });

  it("applies Office's dark theme to the pane", async () => {
    double.theme = { bodyBackgroundColor: "#1f1f1f", bodyForegroundColor: "#ffffff" };
    const { container } = renderInOutlook();

    await waitFor(() => expect(container.querySelector("[data-theme]")).toHaveAttribute("data-theme", "dark"));
  });
});

describe("Browser preview", () => {
  it("lets the developer switch sample items and themes with the keyboard-usable switcher", async () => {
    const user = userEvent.setup();
    const preview = new PreviewMailboxHost();
    const { container } = render(<App host={preview} preview={preview} />);
    const switcher = await screen.findByRole("complementary", { name: "Browser preview" });
    expect(await screen.findByText("Contract renewal for 2027")).toBeInTheDocument();

    await user.selectOptions(within(switcher).getByLabelText("Sample item"), "meeting");
    expect(await screen.findByRole("heading", { name: "This item isn't a message" })).toBeInTheDocument();

    await user.selectOptions(within(switcher).getByLabelText("Theme"), "highContrast");
    await waitFor(() => expect(container.querySelector("[data-theme]")).toHaveAttribute("data-theme", "highContrast"));
  });
});
