/**
 * Where the backend answers, for both sides: every API route lives under this prefix, and nothing else does. The dev
 * server proxies exactly this prefix to the backend, so no module or asset of the pane may be served under it.
 */
export const API_PREFIX = "/api";
