import { describe, expect, it } from "vitest";
import {
  placementRemedy,
  suggestedProfileFor,
  type PlacementTarget,
} from "../../../../src/server/profiles/placement.js";
import type { AccessTypeId } from "../../../../src/contract/accessTypes.js";
import { EXCHANGE_ONLINE_EWS_URL } from "../../../../src/contract/accessTypes.js";
import { mailboxesMovedSummary } from "../../../../src/server/monitoring/alerts.js";
import { DEFAULT_RULES } from "../../../../src/server/monitoring/settings.js";

const ON_PREMISES_URL = "https://mail.northwind.lab/EWS/Exchange.asmx";
const target = (
  profileId: string,
  name: string,
  accessType: AccessTypeId | null,
  isDefault = false,
  ewsUrl: string | null = accessType === null || accessType === "graph_app_only" ? null : ON_PREMISES_URL,
): PlacementTarget => ({ profileId, name, accessType, isDefault, ewsUrl });

const ONPREM = target("p-onprem", "On-premises", "ews_basic_impersonation", true);
const CLOUD = target("p-cloud", "Cloud", "graph_app_only");
const CLOUD_EWS = target(
  "p-cloud-ews",
  "Agents (EWS OAuth)",
  "ews_oauth_impersonation",
  false,
  EXCHANGE_ONLINE_EWS_URL,
);
const HMA_EWS = target("p-hma", "Hybrid Modern Auth", "ews_oauth_impersonation");
const EMPTY = target("p-empty", "Not set up", null);
const NO_URL = target("p-no-url", "EWS without a URL", "ews_oauth_impersonation", false, null);

describe("the profile a mailbox found elsewhere is suggested", () => {
  it.each([
    [
      "cloud, checked on-premises: the Graph profile",
      "exchange_online",
      [ONPREM, CLOUD],
      ONPREM.profileId,
      CLOUD.profileId,
    ],
    [
      "on-premises, checked in the cloud: the EWS profile",
      "on_premises",
      [ONPREM, CLOUD],
      CLOUD.profileId,
      ONPREM.profileId,
    ],
    [
      "EWS OAuth reaches Exchange Online too",
      "exchange_online",
      [ONPREM, CLOUD_EWS],
      ONPREM.profileId,
      CLOUD_EWS.profileId,
    ],
    [
      "among several that reach it, by name",
      "exchange_online",
      [ONPREM, CLOUD, CLOUD_EWS],
      ONPREM.profileId,
      CLOUD_EWS.profileId,
    ],
    [
      "among several, the default first",
      "exchange_online",
      [target("p-a", "A cloud", "graph_app_only"), target("p-z", "Z cloud", "graph_app_only", true), ONPREM],
      "other",
      "p-z",
    ],
    ["no profile reaches the place: none", "exchange_online", [ONPREM, EMPTY], ONPREM.profileId, null],
    ["the checking profile already reaches it: none", "exchange_online", [ONPREM, CLOUD], CLOUD.profileId, null],
    [
      "EWS OAuth with an on-premises URL reaches the server, not Exchange Online",
      "on_premises",
      [HMA_EWS, CLOUD],
      CLOUD.profileId,
      HMA_EWS.profileId,
    ],
    [
      "EWS OAuth with an on-premises URL is no suggestion for the cloud",
      "exchange_online",
      [HMA_EWS, ONPREM],
      ONPREM.profileId,
      null,
    ],
    ["an EWS profile without a URL reaches nowhere", "on_premises", [NO_URL, CLOUD], CLOUD.profileId, null],
  ] as const)("%s", (_, where, profiles, checking, expected) => {
    expect(suggestedProfileFor(where, profiles, checking)?.profileId ?? null).toBe(expected);
  });

  it("says which profile to add when none reaches the place, and where to move the user when one does", () => {
    expect(placementRemedy("exchange_online", null)).toContain(
      "add a connection profile with the access type Microsoft 365 OAuth (Graph) – App-only",
    );
    expect(placementRemedy("on_premises", null)).toContain("Microsoft Exchange Impersonation");
    expect(placementRemedy("exchange_online", "Cloud")).toContain("Move the user to the suggested profile “Cloud”");
  });
});

describe("the info alert of mailboxes moved", () => {
  it("counts the moves per place and profile, the largest first", () => {
    const moves = [
      { where: "exchange_online" as const, toProfileName: "Cloud" },
      { where: "exchange_online" as const, toProfileName: "Cloud" },
      { where: "on_premises" as const, toProfileName: "On-premises" },
      { where: "exchange_online" as const, toProfileName: "Cloud" },
    ];
    expect(mailboxesMovedSummary(DEFAULT_RULES, moves)).toBe(
      "3 mailboxes moved to Exchange Online; now checked through Cloud. 1 mailbox moved to the on-premises Exchange server; now checked through On-premises",
    );
  });

  it("says nothing when nothing moved or the rule is off", () => {
    expect(mailboxesMovedSummary(DEFAULT_RULES, [])).toBeNull();
    expect(
      mailboxesMovedSummary({ ...DEFAULT_RULES, mailboxesMoved: { enabled: false } }, [
        { where: "exchange_online", toProfileName: "Cloud" },
      ]),
    ).toBeNull();
  });
});
