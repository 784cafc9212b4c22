/**
 * Renders pane views the way the pane composes them (Fluent + SessionProvider) over a fake backend at the fetch
 * level: tests declare routes ("GET /api/me") and read back every request the views sent.
 */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { render, screen } from "@testing-library/react";
import type { ReactElement } from "react";
import { vi } from "vitest";
import { ApiClient } from "../../../../src/taskpane/backend/client";
import type { AuthAccount, AuthService, ServiceAccountToken } from "../../../../src/taskpane/auth/authTypes";
import { SessionProvider } from "../../../../src/taskpane/auth/SessionProvider";
import { BrowserProvider, type BrowserActions } from "../../../../src/taskpane/browser/browserActions";
import { PreviewMailboxHost } from "../../../../src/taskpane/office/previewMailboxHost";
import { MailboxHostProvider } from "../../../../src/taskpane/hooks/mailboxHostContext";
import type { MailboxHost } from "../../../../src/taskpane/office/mailboxHost";

// Views load in steps (session, then /api/me, then the view's data): allow for a busy 2-core CI machine.
vi.setConfig({ testTimeout: 20_000 });

export interface SentRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: unknown;
}

export type RouteAnswer = { status?: number; body?: unknown; headers?: Record<string, string> } | "network-error";
type RouteHandler = (request: SentRequest) => RouteAnswer | Promise<RouteAnswer>;

export class FakeBackend {
  readonly requests: SentRequest[] = [];
  private readonly routes = new Map<string, RouteHandler>();

  on(route: string, handler: RouteHandler | RouteAnswer): this {
    this.routes.set(route, typeof handler === "function" ? handler : () => handler);
    return this;
  }

  sent(route: string): SentRequest[] {
    return this.requests.filter((r) => `${r.method} ${r.path}` === route);
  }

  readonly fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(input instanceof Request ? input.url : input.toString(), "https://pane.test");
    const headers = Object.fromEntries(Object.entries((init.headers ?? {}) as Record<string, string>));
    const request: SentRequest = {
      method: init.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      headers,
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    };
    this.requests.push(request);
    const handler = this.routes.get(`${request.method} ${request.path}`);
    if (!handler) {
      return new Response(JSON.stringify({ type: "about:blank", title: "Not Found", status: 404 }), {
        status: 404,
        headers: { "content-type": "application/problem+json" },
      });
    }
    const answer = await handler(request);
    if (answer === "network-error") throw new TypeError("Failed to fetch");
    const status = answer.status ?? 200;
    const isText = typeof answer.body === "string";
    return new Response(status === 204 ? null : isText ? (answer.body as string) : JSON.stringify(answer.body ?? {}), {
      status,
      headers: {
        "content-type": isText ? "text/csv" : status >= 400 ? "application/problem+json" : "application/json",
        ...answer.headers,
      },
    });
  };
}

export function problem(status: number, title: string, errors?: Array<{ field: string; message: string }>) {
  return { status, body: { type: "about:blank", title, status, detail: title, ...(errors ? { errors } : {}) } };
}

export const ADMIN: AuthAccount = { username: "megan.bowen@contoso.lab", name: "Megan Bowen" };

/** The sign-in service's fake: the MSAL boundary, not the pane's own components. */
export function fakeAuth(account: AuthAccount | null = ADMIN) {
  let signedIn = account;
  return {
    restore: vi.fn(() => Promise.resolve(signedIn)),
    signIn: vi.fn(() => {
      signedIn = ADMIN;
      return Promise.resolve(ADMIN);
    }),
    getToken: vi.fn((options?: { forceRefresh?: boolean }) =>
      Promise.resolve(options?.forceRefresh ? "fresh-token" : "cached-token"),
    ),
    signOut: vi.fn(() => Promise.resolve()),
    signInServiceAccount: vi.fn((loginHint: string): Promise<ServiceAccountToken> =>
      Promise.resolve({ accessToken: "service-account-token", username: loginHint, expiresOn: null }),
    ),
    diagnostics: () => ({ path: "popup" as const, skipped: [] }),
  } satisfies AuthService;
}

/** The preview's mailbox as the admin's own, so views see the signed-in user open their own mailbox. */
export function ownMailbox(): PreviewMailboxHost {
  return new PreviewMailboxHost({ user: { displayName: ADMIN.name, emailAddress: ADMIN.username } });
}

/**
 * `browser` replaces the window's pop-ups, clipboard and downloads (by default jsdom's window); `host` the mailbox
 * open in Outlook (by default the signed-in admin's own).
 */
export function renderWithSession(
  ui: ReactElement,
  backend: FakeBackend,
  auth: AuthService = fakeAuth(),
  browser?: BrowserActions,
  host: MailboxHost = ownMailbox(),
) {
  const api = new ApiClient({ tokens: auth, fetch: backend.fetch });
  return render(
    <FluentProvider theme={webLightTheme}>
      <BrowserProvider {...(browser ? { browser } : {})}>
        <MailboxHostProvider host={host}>
          <SessionProvider host={host} services={{ auth, api }}>
            {ui}
          </SessionProvider>
        </MailboxHostProvider>
      </BrowserProvider>
    </FluentProvider>,
  );
}

export const ORG = { id: "org-1", name: "Contoso Lab", role: "admin" as const };

export function me(orgs: Array<{ id: string; name: string; role: "admin" | "user" }> = [ORG]) {
  return { subject: "sub-1", email: ADMIN.username, name: ADMIN.name, orgs };
}

/**
 * A Fluent dialog found by its title. In jsdom, tabster keeps a just-opened dialog aria-hidden until its deferred
 * focus move runs, which under load can take seconds, so role queries miss it; a real browser's accessibility is
 * covered by the e2e axe scans.
 */
export async function findDialog(title: string): Promise<HTMLElement> {
  const heading = await screen.findByText(title);
  const dialog = heading.closest<HTMLElement>("[role=dialog],[role=alertdialog]");
  if (!dialog) throw new Error(`"${title}" is not inside a dialog`);
  return dialog;
}
