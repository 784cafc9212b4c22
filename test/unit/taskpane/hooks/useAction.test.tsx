import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { SignInError } from "../../../../src/taskpane/auth/authTypes";
import { SessionExpiredError } from "../../../../src/taskpane/backend/errors";
import { FakeBackend, me, renderWithSession } from "../admin/harness";
import { ActionProbe } from "./probe";

const backend = () => new FakeBackend().on("GET /api/me", { body: me() });

async function signedIn() {
  await waitFor(() => expect(screen.getByTestId("session")).toHaveTextContent("signed_in"));
}

describe("useAction", () => {
  it("is pending while the action runs and idle after it succeeded", async () => {
    let finish!: (value: string) => void;
    const perform = vi.fn((label: string) => new Promise<string>((resolve) => (finish = () => resolve(label))));
    renderWithSession(<ActionProbe perform={perform} />, backend());
    await signedIn();

    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(screen.getByTestId("action")).toHaveTextContent("pending; error: none");
    expect(perform).toHaveBeenCalledWith("first");
    finish("first");
    await waitFor(() => expect(screen.getByTestId("action")).toHaveTextContent("idle; error: none"));
  });

  it("keeps a failure until reset or the next run, and leaves the session signed in", async () => {
    const perform = vi
      .fn<(label: string) => Promise<string>>()
      .mockRejectedValueOnce(new Error("the server said no"))
      .mockRejectedValueOnce(new Error("no again"))
      .mockResolvedValueOnce("fine");
    renderWithSession(<ActionProbe perform={perform} />, backend());
    await signedIn();

    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByText("idle; error: the server said no")).toBeInTheDocument();
    expect(screen.getByTestId("session")).toHaveTextContent("signed_in");
    await userEvent.click(screen.getByRole("button", { name: "Reset" }));
    expect(screen.getByTestId("action")).toHaveTextContent("idle; error: none");

    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByText("idle; error: no again")).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    await waitFor(() => expect(screen.getByTestId("action")).toHaveTextContent("idle; error: none"));
  });

  it("turns a needs-sign-in failure into the session's expiry", async () => {
    const perform = vi.fn(() => Promise.reject(new SessionExpiredError()));
    renderWithSession(<ActionProbe perform={perform} />, backend());
    await signedIn();

    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    await waitFor(() => expect(screen.getByTestId("session")).toHaveTextContent("expired"));
    expect(screen.getByTestId("action")).toHaveTextContent("error: Your session has expired");
  });

  it("leaves the session alone when the failure is outside what expires it", async () => {
    // The service account's own sign-in asking for interaction is not the admin's session expiring.
    const perform = vi.fn(() => Promise.reject(new SignInError("interaction_required", "Sign in again.")));
    renderWithSession(
      <ActionProbe perform={perform} expiresSession={(error) => error instanceof SessionExpiredError} />,
      backend(),
    );
    await signedIn();

    await userEvent.click(screen.getByRole("button", { name: "Run" }));
    expect(await screen.findByText("idle; error: Sign in again.")).toBeInTheDocument();
    expect(screen.getByTestId("session")).toHaveTextContent("signed_in");
  });
});
