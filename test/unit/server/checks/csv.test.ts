import { describe, expect, it } from "vitest";
import { resultsCsv } from "../../../../src/server/checks/csv.js";
import { csvField } from "../../../../src/server/http/csv.js";
import type { CheckResultRecord } from "../../../../src/server/checks/engine/types.js";

function result(overrides: Partial<CheckResultRecord>): CheckResultRecord {
  return {
    userId: "u1",
    email: "ann@contoso.test",
    category: "ok",
    detail: null,
    primarySmtpAddress: null,
    httpStatus: null,
    attempts: 1,
    durationMs: 42,
    steps: [],
    checkedAt: new Date("2026-11-21T10:00:00.000Z"),
    ...overrides,
  };
}

async function collect(pages: CheckResultRecord[][]): Promise<string> {
  async function* source() {
    for (const page of pages) yield await Promise.resolve(page);
  }
  let text = "";
  for await (const chunk of resultsCsv(source())) text += chunk;
  return text;
}

describe("check results CSV", () => {
  it("neutralises every formula trigger with a leading apostrophe", () => {
    for (const payload of ['=HYPERLINK("x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]) {
      expect(csvField(payload)).toBe(`"'${payload.replaceAll('"', '""')}"`);
    }
  });

  it("quotes every field and doubles embedded quotes, keeping commas and newlines inside the field", () => {
    expect(csvField('say "hi", then\nleave')).toBe('"say ""hi"", then\nleave"');
    expect(csvField(null)).toBe('""');
    expect(csvField(503)).toBe('"503"');
  });

  it("writes a header and one line per result with the category's severity, message and remedy", async () => {
    const text = await collect([
      [result({})],
      [],
      [
        result({
          userId: "u2",
          email: "=cmd|' /C calc'!A0@contoso.test",
          category: "non_primary_address",
          primarySmtpAddress: "bob@contoso.test",
          httpStatus: 200,
          attempts: 2,
        }),
      ],
    ]);

    const lines = text.split("\r\n");
    expect(lines[0]).toBe(
      '"email","user_id","category","severity","message","remedy","detail","primary_smtp_address","http_status","attempts","duration_ms","checked_at","capabilities","kind","profile","suggested_profile"',
    );
    expect(lines[1]).toMatch(
      /^"ann@contoso.test","u1","ok","ok","Mailbox access works.","Nothing to do.","","","","1","42","2026-11-21T10:00:00.000Z","","user","",""$/,
    );
    expect(lines[2]).toContain(`"'=cmd|' /C calc'!A0@contoso.test","u2","non_primary_address","warning"`);
    expect(lines[2]).toContain('"bob@contoso.test","200","2"');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe("");
  });

  it("writes a Graph result's capabilities in one cell, mail apart from calendar and drafts", async () => {
    const text = await collect([
      [
        result({
          category: "calendar_denied",
          capabilities: { mail: "ok", calendar: "calendar_denied", drafts: null },
        }),
      ],
    ]);
    expect(text.split("\r\n")[1]).toMatch(/,"mail ok; calendar calendar_denied","user","",""$/);
  });

  it("names the profile that checked each user, the suggested one, and what to add when none reaches the mailbox", async () => {
    const profiles = {
      defaultProfileId: "p-onprem",
      names: new Map([
        ["p-onprem", "On-premises"],
        ["p-cloud", "Cloud"],
      ]),
    };
    const moved = result({
      category: "mailbox_in_cloud",
      profileId: "p-onprem",
      suggestedProfileId: "p-cloud",
      placement: {
        where: "exchange_online",
        evidence: "Autodiscover redirected to nina@northwind.mail.onmicrosoft.com",
      },
    });
    const nowhere = result({
      userId: "u3",
      category: "mailbox_on_premises",
      profileId: "p-cloud",
      suggestedProfileId: null,
      placement: { where: "on_premises", evidence: "MailboxNotEnabledForRESTAPI" },
    });
    let text = "";
    for await (const chunk of resultsCsv(
      (async function* () {
        yield await Promise.resolve([result({ profileId: null }), moved, nowhere]);
      })(),
      undefined,
      profiles,
    )) {
      text += chunk;
    }
    const lines = text.split("\r\n");
    // A result stored before profiles was checked by the default profile.
    expect(lines[1]).toMatch(/,"user","On-premises",""$/);
    expect(lines[2]).toMatch(/,"user","On-premises","Cloud"$/);
    expect(lines[2]).toContain("Move the user to the suggested profile “Cloud”");
    expect(lines[3]).toMatch(/,"user","Cloud",""$/);
    expect(lines[3]).toContain("No profile of this organization reaches the on-premises Exchange server");
  });

  it("lists the canaries after every user, marked apart, with what leaked and why", async () => {
    const canaries = [
      {
        address: "sync-canary@contoso.test",
        verdict: "leaked" as const,
        category: "scope_leak" as const,
        leaked: ["mail" as const],
        cause: "Tenant-wide consent of Mail.Read in Entra ID.",
        remedy: "Remove the Mail.Read application permission.",
        detail: null,
        checkedAt: "2026-11-21T10:00:01.000Z",
      },
      {
        address: "other-canary@contoso.test",
        verdict: "refused" as const,
        category: "graph_scope_denied" as const,
        leaked: [],
        cause: null,
        remedy: null,
        detail: "403",
        checkedAt: "2026-11-21T10:00:02.000Z",
      },
    ];
    let text = "";
    for await (const chunk of resultsCsv(
      (async function* () {
        yield await Promise.resolve([result({})]);
      })(),
      () => Promise.resolve(canaries),
    )) {
      text += chunk;
    }
    const lines = text.split("\r\n");
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/"user","",""$/);
    expect(lines[2]).toBe(
      '"sync-canary@contoso.test","","scope_leak","error","Readable: the scope leaks. Tenant-wide consent of Mail.Read in Entra ID.","Remove the Mail.Read application permission.","","","","1","","2026-11-21T10:00:01.000Z","mail ok","canary","",""',
    );
    expect(lines[3]).toMatch(
      /^"other-canary@contoso.test","","graph_scope_denied","error","Refused, as a mailbox outside the scope must be.","Nothing to do.","403"/,
    );
    expect(lines[3]).toMatch(/,"canary","",""$/);
  });
});
