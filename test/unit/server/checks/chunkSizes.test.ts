import { describe, expect, it } from "vitest";
import { chunkSizes } from "../../../../src/server/checks/cluster/queuedRuns.js";

describe("chunk sizes of a queued run", () => {
  it("cuts full chunks first and an ever smaller tail, covering every user once", () => {
    const sizes = chunkSizes(10_000, 250);
    expect(sizes.reduce((sum, size) => sum + size, 0)).toBe(10_000);
    expect(sizes.slice(0, 30).every((size) => size === 250)).toBe(true);
    // Never growing, and the tail ends in chunks of 25 (or less, the very last).
    expect(sizes.every((size, index) => index === 0 || size <= sizes[index - 1]!)).toBe(true);
    expect(sizes.slice(-5, -1)).toEqual([25, 25, 25, 25]);
    expect(sizes.at(-1)).toBeLessThanOrEqual(25);
  });

  it("gives a small run small chunks and an empty run none", () => {
    expect(chunkSizes(30, 250)).toEqual([25, 5]);
    expect(chunkSizes(1, 250)).toEqual([1]);
    expect(chunkSizes(0, 250)).toEqual([]);
  });
});
