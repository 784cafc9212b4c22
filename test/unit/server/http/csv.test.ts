import { describe, expect, it } from "vitest";
import { csvField } from "../../../../src/server/http/csv.js";

describe("csvField", () => {
  it.each([
    ["=1+1", `"'=1+1"`],
    ["+cmd", `"'+cmd"`],
    ["-2", `"'-2"`],
    ["@SUM(A1)", `"'@SUM(A1)"`],
    ["\tx", `"'\tx"`],
    ['say "hi"', `"say ""hi"""`],
    ["plain", `"plain"`],
  ])("writes %j as %s", (value, cell) => {
    expect(csvField(value)).toBe(cell);
  });
});
