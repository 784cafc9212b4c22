import { describe, expect, it } from "vitest";
import { placementFromJson, storedPlace } from "../../../../src/server/checks/storedPlacement.js";

describe("a stored placement", () => {
  it('reads rows written with "cloud" as Exchange Online, and today\'s ids as they are', () => {
    expect(storedPlace("cloud")).toBe("exchange_online");
    expect(storedPlace("exchange_online")).toBe("exchange_online");
    expect(storedPlace("on_premises")).toBe("on_premises");
    expect(storedPlace("elsewhere")).toBeNull();
    expect(placementFromJson(JSON.stringify({ where: "cloud", evidence: "Autodiscover redirected" }))).toEqual({
      where: "exchange_online",
      evidence: "Autodiscover redirected",
    });
    expect(placementFromJson(null)).toBeNull();
    expect(placementFromJson(JSON.stringify({ where: "mars", evidence: "?" }))).toBeNull();
  });
});
