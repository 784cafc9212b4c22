import { describe, expect, it } from "vitest";
import { memoizedTokenSource, type AcquiredToken } from "../../../../../src/server/exchange/auth/tokenMemo.js";

const signal = new AbortController().signal;

describe("the in-memory token source", () => {
  it("shares one acquisition among concurrent callers and reuses the token until shortly before it expires", async () => {
    let now = 0;
    const calls: boolean[] = [];
    const source = memoizedTokenSource(
      (force) => {
        calls.push(force);
        return Promise.resolve<AcquiredToken>({
          ok: true,
          accessToken: `t${calls.length}`,
          expiresOn: new Date(now + 3_600_000),
        });
      },
      () => now,
    );
    const tokens = await Promise.all([source(false, signal), source(false, signal), source(false, signal)]);
    expect(tokens.map((token) => token.ok && token.accessToken)).toEqual(["t1", "t1", "t1"]);
    now = 3_000_000; // 10 minutes before expiry: still reused
    expect(await source(false, signal)).toMatchObject({ accessToken: "t1" });
    now = 3_400_000; // within 5 minutes of expiry: renewed
    expect(await source(false, signal)).toMatchObject({ accessToken: "t2" });
    expect(await source(true, signal)).toMatchObject({ accessToken: "t3" });
    expect(calls).toEqual([false, false, true]);
  });

  it("does not keep a failure, so the next call tries again", async () => {
    let attempt = 0;
    const source = memoizedTokenSource(() => {
      attempt += 1;
      return Promise.resolve<AcquiredToken>(
        attempt === 1
          ? { ok: false, classified: { category: "network_error" } }
          : { ok: true, accessToken: "t", expiresOn: null },
      );
    });
    expect(await source(false, signal)).toMatchObject({ ok: false });
    expect(await source(false, signal)).toMatchObject({ ok: true, accessToken: "t" });
  });
});
