import { describe, expect, it } from "vitest";
import { formatLogLine } from "../../../scripts/logLines";

describe("npm start's output lines", () => {
  it("turns the backend's pino JSON into a level, the message and its details", () => {
    const line = JSON.stringify({
      level: 40,
      time: 1796191807425,
      pid: 9812,
      hostname: "vm",
      orgId: "78faaa5c",
      rows: [{ row: 3 }],
      msg: "some bootstrap users were not added",
    });
    expect(formatLogLine(line)).toBe('warn: some bootstrap users were not added (orgId=78faaa5c rows=[{"row":3}])');
    expect(formatLogLine(JSON.stringify({ level: 50, msg: "boom" }))).toBe("error: boom");
  });

  it("passes every other line through unchanged", () => {
    for (const line of ["  VITE v8 ready in 886 ms", "{not json", '{"level":"info"}', '{"msg":"no level"}']) {
      expect(formatLogLine(line)).toBe(line);
    }
  });
});
