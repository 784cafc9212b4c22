/** A mailbox driver for monitoring tests: preflight passes unless refused; each address answers what `failing` says. */
import type { CategoryId } from "../../../../src/contract/categories.js";
import type { CheckOutcome, MailboxDriver, PreflightReport } from "../../../../src/server/exchange/driver.js";

export class ScriptedMailboxes implements MailboxDriver {
  /** Address → the category it answers; everyone else is ok. */
  failing = new Map<string, CategoryId>();
  refused = false;
  /** While set, every user's check waits for it. */
  hold: Promise<void> | null = null;
  checked = 0;

  preflight(): Promise<PreflightReport> {
    return Promise.resolve(
      this.refused
        ? {
            canProceed: false,
            steps: [{ step: "Sign in (service account)", ok: false, category: "auth_failed", durationMs: 1 }],
            warnings: [],
          }
        : {
            canProceed: true,
            steps: [{ step: "GetFolder (service account)", ok: true, category: "ok", durationMs: 1 }],
            warnings: [],
          },
    );
  }

  listRooms(): Promise<never> {
    return Promise.reject(new Error("not used"));
  }

  async checkUser(target: { email: string }): Promise<CheckOutcome> {
    if (this.hold !== null) await this.hold;
    this.checked += 1;
    const category = this.failing.get(target.email) ?? "ok";
    return { category, steps: [{ step: "GetFolder", ok: category === "ok", category, durationMs: 1 }] };
  }
}

/** App-only (Exchange Online): the access type whose changes settle (RBAC for Applications), so alerts wait. */
export const APP_ONLY_CONFIG = {
  accessType: "graph_app_only",
  appOnly: {
    tenantId: "0b7e8c3a-1f2d-4e5a-9b6c-7d8e9f0a1b2c",
    clientId: "6a1f3b2c-4d5e-4f60-8a7b-9c0d1e2f3a4b",
    clientSecret: "app~secret~value",
  },
};

export const EWS_CONFIG = {
  accessType: "ews_basic_impersonation",
  ewsUrl: "https://mail.contoso.test/EWS/Exchange.asmx",
  accountLogon: "svc@contoso.test",
  password: "pw",
};
