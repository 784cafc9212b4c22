/**
 * oidc-provider 9 warns "Unsupported runtime" when it is imported on a Node.js release line older than 22 (it
 * compares the LTS code name only). This project runs on Node.js 20.19+ (better-sqlite3 12 and pg-boss 10 set that
 * floor), and the lab's identity tests (discovery, PKCE, MSAL's popup sign-in, on-behalf-of, refresh) pass on it in
 * CI, so the warning says nothing a developer can act on; the README explains it once. Imported just before
 * oidc-provider: it drops that one line, and only that line, then puts console.warn back. (No timer: a test
 * runner may load oidc-provider well after this module.)
 */
const UNSUPPORTED_RUNTIME = "oidc-provider WARNING: Unsupported runtime.";

const original = console.warn;
console.warn = (...args: unknown[]): void => {
  const [first] = args;
  if (typeof first === "string" && first.includes(UNSUPPORTED_RUNTIME)) {
    console.warn = original;
    return;
  }
  original(...args);
};
