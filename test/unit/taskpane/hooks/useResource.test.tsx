import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { BackendUnavailableError, SessionExpiredError } from "../../../../src/taskpane/backend/errors";
import { FakeBackend, fakeAuth, me, renderWithSession } from "../admin/harness";
import { ResourceProbe } from "./probe";

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

const backend = () => new FakeBackend().on("GET /api/me", { body: me() });

describe("useResource", () => {
  it("loads once signed in, keeps the last value while reloading, then shows the new one", async () => {
    const second = deferred<string>();
    const load = vi.fn<() => Promise<string>>().mockResolvedValueOnce("first").mockReturnValueOnce(second.promise);
    renderWithSession(<ResourceProbe load={load} />, backend());
    expect(await screen.findByText("ready: first")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Reload" }));
    expect(await screen.findByText("loading: first")).toBeInTheDocument();
    second.resolve("second");
    expect(await screen.findByText("ready: second")).toBeInTheDocument();
    expect(load).toHaveBeenCalledTimes(2);
  });

  it("waits for a sign-in before it loads", async () => {
    const load = vi.fn(() => Promise.resolve("status"));
    renderWithSession(<ResourceProbe load={load} />, backend(), fakeAuth(null));
    expect(await screen.findByTestId("session")).toHaveTextContent("signed_out");
    expect(load).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("ready: status")).toBeInTheDocument();
    expect(load).toHaveBeenCalledOnce();
  });

  it("turns a needs-sign-in answer into the session's expiry once, and loads again after a new sign-in", async () => {
    const load = vi
      .fn<() => Promise<string>>()
      .mockResolvedValueOnce("before")
      .mockRejectedValueOnce(new SessionExpiredError())
      .mockResolvedValueOnce("after");
    renderWithSession(<ResourceProbe load={load} />, backend());
    expect(await screen.findByText("ready: before")).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Reload" }));
    await waitFor(() => expect(screen.getByTestId("session")).toHaveTextContent("expired"));
    // Not a failure to show: the value stays on screen and nothing is retried while the session is expired.
    expect(screen.getByTestId("resource")).toHaveTextContent("needs_sign_in: before");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(load).toHaveBeenCalledTimes(2);

    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("ready: after")).toBeInTheDocument();
    expect(screen.getByTestId("session")).toHaveTextContent("signed_in");
    expect(load).toHaveBeenCalledTimes(3);
  });

  it("reports any other failure as an error and leaves the session signed in", async () => {
    const load = vi.fn(() => Promise.reject(new BackendUnavailableError(new TypeError("Failed to fetch"))));
    renderWithSession(<ResourceProbe load={load} />, backend());
    expect(await screen.findByText("error: nothing")).toBeInTheDocument();
    expect(screen.getByTestId("session")).toHaveTextContent("signed_in");
  });
});
