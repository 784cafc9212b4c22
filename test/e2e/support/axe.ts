import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

export interface AxeFinding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core in the page and returns its serious and critical violations (none expected).
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  // Colours mid-transition (a button just pressed or left by the pointer) are not the page's: on a busy machine a
  // 100 ms Fluent transition can still run when axe measures contrast. Wait for running animations to settle.
  await page.evaluate(() =>
    Promise.race([
      Promise.all(document.getAnimations().map((animation) => animation.finished.catch(() => undefined))),
      new Promise((resolve) => setTimeout(resolve, 2_000)),
    ]),
  );
  // A virtualized list places rows at an estimated height until it has measured them: for a frame or two a row can
  // overlap the next, and axe reads the covered text's contrast against the row on top. Wait until no row overlaps.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const deadline = Date.now() + 2_000;
        const settled = (): boolean =>
          [...document.querySelectorAll('[data-testid="results-list"]')].every((list) => {
            const rows = [...list.querySelectorAll<HTMLElement>('[role="listitem"][data-index]')]
              .sort((a, b) => Number(a.dataset.index) - Number(b.dataset.index))
              .map((row) => row.getBoundingClientRect());
            return rows.every((row, index) => index === 0 || row.top >= rows[index - 1]!.bottom - 1);
          });
        const look = (): void => {
          if (settled() || Date.now() > deadline) resolve();
          else setTimeout(look, 50);
        };
        look();
      }),
  );
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run(context: { exclude: string[][] }): Promise<{
            violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: unknown[] }> }>;
          }>;
        };
      }
    ).axe;
    // Tabster's focus sentinels (Fluent UI's focus management) are aria-hidden on purpose and hand focus on at once.
    const result = await axe.run({ exclude: [["[data-tabster-dummy]"]] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => String(n.target[0])) }));
  });
}
