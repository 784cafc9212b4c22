import { describe, expect, it } from "vitest";
import { memoryAdapterFactory } from "../../../../src/lab/identity/memoryAdapter.js";

describe("the lab's oidc-provider storage", () => {
  it("revokes a grant's tokens but keeps the interaction and session that mention the grant", async () => {
    const factory = memoryAdapterFactory();
    const models = ["AccessToken", "RefreshToken", "AuthorizationCode", "Interaction", "Session"] as const;
    for (const model of models) await factory(model).upsert(`${model}-1`, { grantId: "grant-1", jti: "x" }, 60);
    await factory("RefreshToken").upsert("other", { grantId: "grant-2" }, 60);

    await factory("AccessToken").revokeByGrantId("grant-1");

    const left = await Promise.all(models.map(async (model) => [model, !!(await factory(model).find(`${model}-1`))]));
    expect(Object.fromEntries(left)).toEqual({
      AccessToken: false,
      RefreshToken: false,
      AuthorizationCode: false,
      Interaction: true,
      Session: true,
    });
    expect(await factory("RefreshToken").find("other")).toEqual({ grantId: "grant-2" });
  });
});
