/** When a schedule is due: daily wall-clock times in IANA zones across daylight-saving changes, and every N hours. */
import { describe, expect, it } from "vitest";
import {
  isTimeZone,
  isWallTime,
  latestSlot,
  nextSlot,
  type Schedule,
} from "../../../../src/server/monitoring/scheduleTimes.js";

const daily = (time: string, timeZone: string): Schedule => ({ mode: "daily", time, timeZone, everyHours: 24 });
const at = (iso: string) => new Date(iso);

describe("schedule slots", () => {
  it("puts a daily slot at the zone's wall-clock time, winter and summer", () => {
    const berlin = daily("06:00", "Europe/Berlin");
    expect(nextSlot(berlin, at("2026-12-01T04:00:00Z"))?.toISOString()).toBe("2026-12-01T05:00:00.000Z");
    expect(nextSlot(berlin, at("2026-07-01T03:00:00Z"))?.toISOString()).toBe("2026-07-01T04:00:00.000Z");
    expect(latestSlot(berlin, at("2026-12-01T04:59:59Z"))?.toISOString()).toBe("2026-11-30T05:00:00.000Z");
    expect(latestSlot(berlin, at("2026-12-01T05:00:00Z"))?.toISOString()).toBe("2026-12-01T05:00:00.000Z");
  });

  it("keeps the wall-clock time across a daylight-saving change and west of UTC", () => {
    // Berlin moves to summer time on 29 March 2026 at 02:00.
    const berlin = daily("06:00", "Europe/Berlin");
    expect(nextSlot(berlin, at("2026-03-28T06:00:00Z"))?.toISOString()).toBe("2026-03-29T04:00:00.000Z");
    const newYork = daily("23:30", "America/New_York");
    expect(nextSlot(newYork, at("2026-12-01T12:00:00Z"))?.toISOString()).toBe("2026-12-02T04:30:00.000Z");
  });

  it("counts every-N-hours slots from midnight UTC, and has none when off", () => {
    const sixHours: Schedule = { mode: "every_hours", time: "06:00", timeZone: "UTC", everyHours: 6 };
    expect(latestSlot(sixHours, at("2026-12-01T13:59:00Z"))?.toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(nextSlot(sixHours, at("2026-12-01T13:59:00Z"))?.toISOString()).toBe("2026-12-01T18:00:00.000Z");
    const off: Schedule = { ...sixHours, mode: "off" };
    expect(latestSlot(off, at("2026-12-01T13:59:00Z"))).toBeNull();
    expect(nextSlot(off, at("2026-12-01T13:59:00Z"))).toBeNull();
  });

  it("tells IANA zones and HH:MM times from anything else", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Mars/Olympus_Mons")).toBe(false);
    expect(["00:00", "06:00", "23:59"].every(isWallTime)).toBe(true);
    expect(["24:00", "6:00", "06:60", "06:00:00"].some(isWallTime)).toBe(false);
  });
});
