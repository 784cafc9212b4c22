/**
 * What a walk on `npm start` must not meet, collected from every page it opens (the pane and MSAL's popups): failed
 * requests, console errors and uncaught exceptions. Before sign-in the status card asks who the user is and is told
 * nobody yet (401 on /api/me without a token): that one is expected.
 */
import type { Page, Response } from "playwright-core";

function expectedFailure(response: Response): boolean {
  const url = new URL(response.url());
  return response.status() === 401 && url.pathname === "/api/me" && !response.request().headers().authorization;
}

/** Records `target`'s problems into `problems` (a test expects it empty at the end) and returns the page. */
export function watchProblems(target: Page, problems: string[]): Page {
  target.on("pageerror", (error) => problems.push(`${target.url()}: uncaught ${error.message}`));
  target.on("console", (message) => {
    if (message.type() !== "error" || message.text().startsWith("Failed to load resource")) return;
    problems.push(`${target.url()}: console error ${message.text()}`);
  });
  target.on("response", (response) => {
    if (response.status() >= 400 && !expectedFailure(response))
      problems.push(`${response.status()} ${response.request().method()} ${response.url()}`);
  });
  return target;
}
