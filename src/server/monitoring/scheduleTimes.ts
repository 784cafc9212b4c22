/**
 * When a schedule's runs are due, as pure functions of the schedule and an instant: daily at a wall-clock time in an
 * IANA time zone (daylight saving included), or every N hours counted from the Unix epoch (midnight UTC).
 */
import type { MonitoringScheduleDto } from "../../contract/monitoring.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export type Schedule = Pick<MonitoringScheduleDto, "mode" | "time" | "timeZone" | "everyHours">;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export function isWallTime(time: string): boolean {
  return /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(time);
}

/** The zone's wall clock at `at`, as if it were UTC (its offset = this − at). */
function wallClockMs(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(new Date(at));
  const part = (type: string) => Number(parts.find((candidate) => candidate.type === type)?.value ?? 0);
  return Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
}

/** The instant the zone's clock shows `wall` (a wall time written as UTC); a skipped hour lands after the gap. */
function instantOf(wall: number, timeZone: string): number {
  let guess = wall - (wallClockMs(wall, timeZone) - wall);
  guess = wall - (wallClockMs(guess, timeZone) - guess);
  return guess;
}

/** The daily slots around `at`: yesterday's, today's and tomorrow's in the schedule's zone, in order. */
function dailySlotsAround(schedule: Schedule, at: number): number[] {
  const [hours = 0, minutes = 0] = schedule.time.split(":").map(Number);
  const today = Math.floor(wallClockMs(at, schedule.timeZone) / DAY_MS) * DAY_MS;
  return [today - DAY_MS, today, today + DAY_MS].map((day) =>
    instantOf(day + hours * HOUR_MS + minutes * 60_000, schedule.timeZone),
  );
}

/** The latest slot at or before `now`; null when the schedule is off. */
export function latestSlot(schedule: Schedule, now: Date): Date | null {
  const at = now.getTime();
  if (schedule.mode === "off") return null;
  if (schedule.mode === "every_hours") {
    const period = schedule.everyHours * HOUR_MS;
    return new Date(Math.floor(at / period) * period);
  }
  const past = dailySlotsAround(schedule, at).filter((slot) => slot <= at);
  return past.length === 0 ? null : new Date(past[past.length - 1]!);
}

/** The first slot after `now`; null when the schedule is off. */
export function nextSlot(schedule: Schedule, now: Date): Date | null {
  const at = now.getTime();
  if (schedule.mode === "off") return null;
  if (schedule.mode === "every_hours") {
    const period = schedule.everyHours * HOUR_MS;
    return new Date((Math.floor(at / period) + 1) * period);
  }
  const future = dailySlotsAround(schedule, at).find((slot) => slot > at);
  return future === undefined ? null : new Date(future);
}
