import { describe, expect, it } from "vitest";
import { displayNameProblem } from "../../../src/contract/displayName.js";
import { emailAddressProblem, isEmailAddress } from "../../../src/contract/emailAddress.js";

describe("emailAddressProblem", () => {
  it.each([
    "alex.wilber@contoso.lab",
    "o'neil+sync@contoso.com",
    "Megan.Bowen@Contoso.Lab",
    "a@xn--fsqu00a.xn--3lr804guic",
    "svc_sync-1@mail.corp.contoso.com",
  ])("accepts %s", (address) => {
    expect(emailAddressProblem(address)).toBeNull();
    expect(isEmailAddress(address)).toBe(true);
  });

  it.each([
    ["alex.wil\u0001ber@contoso.lab", "contains a control character (U+0001) at position 9"],
    ["alex.wil\u0000ber@contoso.lab", "contains a control character (U+0000) at position 9"],
    ["alex\u0085@contoso.lab", "contains a control character (U+0085) at position 5"],
    ["alex\u007F@contoso.lab", "contains a control character (U+007F) at position 5"],
    ["alex@contoso.lab\r\nX-Evil: 1", "contains a control character (U+000D) at position 17"],
    ["alex\u200B@contoso.lab", "contains an invisible character (U+200B ZERO WIDTH SPACE) at position 5"],
    [
      "alex\u202Ebal.osotnoc@evil.lab",
      "contains a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) at position 5",
    ],
    [
      "alex\u2066@contoso.lab",
      "contains a bidirectional control character (U+2066 LEFT-TO-RIGHT ISOLATE) at position 5",
    ],
    ["\uFEFFalex@contoso.lab", "contains an invisible character (U+FEFF ZERO WIDTH NO-BREAK SPACE) at position 1"],
    ["alex\uD800@contoso.lab", "contains an unpaired surrogate (U+D800) at position 5"],
    ["alex wilber@contoso.lab", "contains a space at position 5"],
    ["alex\u00A0@contoso.lab", "contains a space character (U+00A0) at position 5"],
    ["alex@contoso.lab", null],
    ["alexcontoso.lab", "has no @"],
    ["alex@@contoso.lab", "has a second @ at position 6"],
    ["@contoso.lab", "has nothing before the @"],
    ["alex@", "has nothing after the @"],
    ["alex@localhost", "has a domain without a dot (such as contoso.com)"],
    ["alex@contoso..lab", "has an empty label in its domain at position 14"],
    ["alex@contoso.lab.", "has an empty label in its domain at position 18"],
    ["alex@-contoso.lab", 'has a domain label starting or ending with "-"'],
    ["alex@con_toso.lab", 'contains "_" at position 9, which a domain cannot carry'],
    ["<alex>@contoso.lab", 'contains "<" at position 1'],
    ['"alex"@contoso.lab', 'contains """ at position 1'],
    [".alex@contoso.lab", "has a dot at the start or end of the part before the @"],
    ["al..ex@contoso.lab", "has two dots in a row at position 3"],
    [`${"a".repeat(65)}@contoso.lab`, "has more than 64 characters before the @"],
    [`a@${`${"b".repeat(60)}.`.repeat(5)}lab`, "is longer than 254 characters"],
    ["", "is empty"],
  ])("judges %j: %s", (address, problem) => {
    expect(emailAddressProblem(address)).toBe(problem);
  });

  it("refuses internationalized addresses (RFC 6531) with the character and the ASCII alternative", () => {
    expect(emailAddressProblem("zhang.张伟@contoso.lab")).toBe(
      "contains a non-ASCII character (张, U+5F20) at position 7; internationalized addresses (RFC 6531) are not " +
        "supported, use the mailbox's ASCII address (a domain in its xn-- form)",
    );
    expect(emailAddressProblem("jose@müller.de")).toMatch(
      /^contains a non-ASCII character \(ü, U\+00FC\) at position 7;/,
    );
    // A character outside the BMP counts as one position, as a person counts it.
    expect(emailAddressProblem("😀x😀@contoso.lab")).toMatch(/\(😀, U\+1F600\) at position 1;/);
  });
});

describe("displayNameProblem", () => {
  it.each(["Zhang Wei 张伟", "Renée O'Brien", "علي\u200F", "👩‍💻 Dev", "Anna-Lena\u200Cx"])("accepts %j", (name) => {
    expect(displayNameProblem(name)).toBeNull();
  });

  it.each([
    ["Alex\u0000", "contains a control character (U+0000) at position 5"],
    ["\u001b[31mAlex", "contains a control character (U+001B) at position 1"],
    ["Alex\u202Egnp.exe", "contains a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE) at position 5"],
    ["Alex\u2067x", "contains a bidirectional control character (U+2067 RIGHT-TO-LEFT ISOLATE) at position 5"],
    ["Alex\u2028Bob", "contains a line separator (U+2028 LINE SEPARATOR) at position 5"],
    ["Alex\uDC00", "contains an unpaired surrogate (U+DC00) at position 5"],
    ["x".repeat(201), "must be at most 200 characters"],
  ])("refuses %j: %s", (name, problem) => {
    expect(displayNameProblem(name)).toBe(problem);
  });
});
