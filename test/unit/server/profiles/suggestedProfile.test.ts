import { describe, expect, it } from "vitest";
import {
  placementRemedy,
  suggestedProfileFor,
  type PlacementTarget,
} from "../../../../src/server/profiles/placement.js";
import { mailboxesMovedSummary } from "../../../../src/server/monitoring/alerts.js";
import { DEFAULT_RULES } from "../../../../src/server/monitoring/settings.js";

const target = (profileId: string, name: string, accessType: string | null, isDefault = false): PlacementTarget => ({
  profileId,
  name,
  accessType,
  isDefault,
});

const ONPREM = target("p-onprem", "On-premises", "ews_basic_impersonation", true);
const CLOUD = target("p-cloud", "Cloud", "graph_app_only");
const CLOUD_EWS = target("p-cloud-ews", "Agents (EWS OAuth)", "ews_oauth_impersonation");
const EMPTY = target("p-empty", "Not set up", null);

describe("the profile a mailbox found elsewhere is suggested", () => {
  it.each([
    ["cloud, checked on-premises: the Graph profile", "cloud", [ONPREM, CLOUD], ONPREM.profileId, CLOUD.profileId],
    [
      "on-premises, checked in the cloud: the EWS profile",
      "on_premises",
      [ONPREM, CLOUD],
      CLOUD.profileId,
      ONPREM.profileId,
    ],
    ["EWS OAuth reaches Exchange Online too", "cloud", [ONPREM, CLOUD_EWS], ONPREM.profileId, CLOUD_EWS.profileId],
    [
      "among several that reach it, by name",
      "cloud",
      [ONPREM, CLOUD, CLOUD_EWS],
      ONPREM.profileId,
      CLOUD_EWS.profileId,
    ],
    [
      "among several, the default first",
      "cloud",
      [target("p-a", "A cloud", "graph_app_only"), target("p-z", "Z cloud", "graph_app_only", true), ONPREM],
      "other",
      "p-z",
    ],
    ["no profile reaches the place: none", "cloud", [ONPREM, EMPTY], ONPREM.profileId, null],
    ["the checking profile already reaches it: none", "cloud", [ONPREM, CLOUD], CLOUD.profileId, null],
  ] as const)("%s", (_, where, profiles, checking, expected) => {
    expect(suggestedProfileFor(where, profiles, checking)?.profileId ?? null).toBe(expected);
  });

  it("says which profile to add when none reaches the place, and where to move the user when one does", () => {
    expect(placementRemedy("cloud", null)).toContain(
      "add a connection profile with the access type Microsoft 365 OAuth (Graph) – App-only",
    );
    expect(placementRemedy("on_premises", null)).toContain("Microsoft Exchange Impersonation");
    expect(placementRemedy("cloud", "Cloud")).toContain("Move the user to the suggested profile “Cloud”");
  });
});

describe("the info alert of mailboxes moved", () => {
  it("counts the moves per place and profile, the largest first", () => {
    const moves = [
      { where: "cloud" as const, toProfileName: "Cloud" },
      { where: "cloud" as const, toProfileName: "Cloud" },
      { where: "on_premises" as const, toProfileName: "On-premises" },
      { where: "cloud" as const, toProfileName: "Cloud" },
    ];
    expect(mailboxesMovedSummary(DEFAULT_RULES, moves)).toBe(
      "3 mailboxes moved to Exchange Online; now checked through Cloud. 1 mailbox moved to the on-premises Exchange server; now checked through On-premises",
    );
  });

  it("says nothing when nothing moved or the rule is off", () => {
    expect(mailboxesMovedSummary(DEFAULT_RULES, [])).toBeNull();
    expect(
      mailboxesMovedSummary({ ...DEFAULT_RULES, mailboxesMoved: { enabled: false } }, [
        { where: "cloud", toProfileName: "Cloud" },
      ]),
    ).toBeNull();
  });
});
