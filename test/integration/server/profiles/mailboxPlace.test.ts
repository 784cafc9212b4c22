/**
 * The end user's card names where the mailbox is checked once an organization has more than one profile: the user's
 * own profile gives the access type and the place (Exchange Online, or the organization's Exchange server); a
 * single-profile organization answers no place, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MailboxStatusDto } from "../../../../src/contract/api.js";
import type { ConnectionProfileDto } from "../../../../src/contract/profiles.js";
import { createTestBackend, type TestBackend } from "../../../support/backend.js";

const onPremises = {
  accessType: "ews_basic_impersonation",
  ewsUrl: "https://mail.contoso.com/EWS/Exchange.asmx",
  accountLogon: "svc-sync@contoso.com",
  password: "OnPrem-Secret-2026!",
};
const cloud = {
  accessType: "graph_app_only",
  appOnly: {
    tenantId: "2a8e4f61-93c7-4d15-b0e2-7c4a9d1f3e58",
    clientId: "9d3a6f1b-2c8e-4b57-a0d4-5e7c1b9f3a26",
    clientSecret: "Cloud-Client-Secret-Value",
  },
};

describe("the mailbox status names the place when the organization has several profiles", () => {
  let backend: TestBackend;
  let orgId = "";
  let userIds: Record<string, string> = {};

  beforeAll(async () => {
    backend = await createTestBackend();
    const seeded = await backend.seedOrg({
      name: "Contoso",
      admin: "admin@contoso.com",
      users: ["ann@contoso.com", "bob@contoso.com"],
    });
    orgId = seeded.orgId;
    userIds = seeded.userIds;
  });
  afterAll(async () => {
    await backend.close();
  });

  const asAdmin = async (method: "POST" | "PUT", url: string, payload: object, ifMatch?: string) =>
    backend.app.inject({
      method,
      url: `/api/orgs/${orgId}${url}`,
      headers: {
        authorization: await backend.bearer("admin@contoso.com"),
        ...(ifMatch === undefined ? {} : { "if-match": ifMatch }),
      },
      payload,
    });
  const statusOf = async (email: string): Promise<MailboxStatusDto> => {
    const response = await backend.app.inject({
      method: "GET",
      url: `/api/me/mailbox-status?orgId=${orgId}`,
      headers: { authorization: await backend.bearer(email) },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json<MailboxStatusDto>();
  };

  it("answers no place for a single-profile organization", async () => {
    const saved = await asAdmin("PUT", "/email-config", onPremises, '"0"');
    expect(saved.statusCode, saved.body).toBe(200);
    expect(await statusOf("ann@contoso.com")).toMatchObject({
      accessType: "ews_basic_impersonation",
      state: "never_checked",
      place: null,
    });
  });

  it("names each user's own profile, its access type and where it reaches, once there are two", async () => {
    const created = await asAdmin("POST", "/profiles", { name: "Cloud", config: cloud });
    expect(created.statusCode, created.body).toBe(201);
    const cloudProfile = created.json<ConnectionProfileDto>();
    const moved = await asAdmin("POST", "/users/move-profile", {
      userIds: [userIds["bob@contoso.com"]],
      profileId: cloudProfile.id,
    });
    expect(moved.statusCode, moved.body).toBe(200);

    expect(await statusOf("bob@contoso.com")).toMatchObject({
      accessType: "graph_app_only",
      place: { where: "exchange_online", profileName: "Cloud" },
    });
    const ann = await statusOf("ann@contoso.com");
    expect(ann.accessType).toBe("ews_basic_impersonation");
    expect(ann.place?.where).toBe("on_premises");
    expect(ann.place?.profileName).toBeTruthy();
  });
});
