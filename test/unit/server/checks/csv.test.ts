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
      '"email","user_id","category","severity","message","remedy","detail","primary_smtp_address","http_status","attempts","duration_ms","checked_at","capabilities"',
    );
    expect(lines[1]).toMatch(
      /^"ann@contoso.test","u1","ok","ok","Mailbox access works.","Nothing to do.","","","","1","42","2026-11-21T10:00:00.000Z",""$/,
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
    expect(text.split("\r\n")[1]).toMatch(/,"mail ok; calendar calendar_denied"$/);
  });
});
