/**
 * The Graph app-only access type: client-credentials token, mailbox reads through Graph, scope enforced by RBAC for
 * Applications in Exchange Online (a user outside the management scope answers 403 ErrorAccessDenied).
 */
import { APP_CREDENTIAL_REFUSED, type CategoryId } from "../../../contract/categories.js";
import type {
  CheckDepth,
  CheckOutcome,
  CheckTarget,
  MailboxDriver,
  PreflightReport,
  RoomsOutcome,
  StepOutcome,
} from "../driver.js";
import type { GraphClient } from "../graph/client.js";
import { userSegment } from "../graph/client.js";
import type { TokenSource } from "../auth/tokenMemo.js";
import { classifiedFields, stepOf } from "./steps.js";

const BLOCKING: ReadonlySet<CategoryId> = new Set<CategoryId>([
  ...APP_CREDENTIAL_REFUSED,
  "auth_failed",
  "tls_error",
  "network_error",
  "timeout",
  "bad_response",
  "forbidden",
  "url_refused",
]);

interface GraphRoom {
  emailAddress?: unknown;
  displayName?: unknown;
}

export function createGraphDriver(options: { client: GraphClient; token: TokenSource }): MailboxDriver {
  const { client } = options;
  return {
    async preflight(signal): Promise<PreflightReport> {
      const steps: StepOutcome[] = [];
      const warnings: PreflightReport["warnings"] = [];
      let startedAt = performance.now();
      const token = await options.token(false, signal);
      steps.push(stepOf("Token (client credentials)", token.ok ? { category: "ok" } : token.classified, startedAt));
      if (!token.ok) return { canProceed: false, steps, warnings };

      startedAt = performance.now();
      const rooms = await client.get("/v1.0/places/microsoft.graph.room?$top=1&$select=emailAddress", signal);
      steps.push(stepOf("Graph places (rooms)", rooms.classified, startedAt));
      if (!rooms.ok && BLOCKING.has(rooms.classified.category)) return { canProceed: false, steps, warnings };
      if (!rooms.ok) {
        warnings.push({
          category: rooms.classified.category,
          message: `Rooms could not be listed (${rooms.classified.detail ?? rooms.classified.category}; grant the app Place.Read.All): rooms and resources will not be read.`,
        });
      }
      return { canProceed: true, steps, warnings };
    },

    async checkUser(target: CheckTarget, depth: CheckDepth, signal: AbortSignal): Promise<CheckOutcome> {
      const steps: StepOutcome[] = [];
      const user = userSegment(target.email);
      let startedAt = performance.now();
      const inbox = await client.get(`/v1.0/users/${user}/mailFolders/inbox?$select=id`, signal);
      steps.push(stepOf("Graph mailFolders/inbox", inbox.classified, startedAt));
      if (!inbox.ok || depth === "read") return { ...classifiedFields(inbox.classified), steps };
      startedAt = performance.now();
      const messages = await client.get(`/v1.0/users/${user}/messages?$top=1&$select=id`, signal);
      steps.push(stepOf("Graph messages ($top=1)", messages.classified, startedAt));
      return { ...classifiedFields(messages.classified), steps };
    },

    async listRooms(signal): Promise<RoomsOutcome> {
      const rooms = await client.getAll("/v1.0/places/microsoft.graph.room?$top=100", signal);
      if (!rooms.ok) return { ok: false, rooms: [], ...classifiedFields(rooms.classified) };
      return {
        ok: true,
        category: "ok",
        rooms: (rooms.values as GraphRoom[]).flatMap((room) =>
          typeof room.emailAddress === "string"
            ? [
                {
                  name: typeof room.displayName === "string" ? room.displayName : room.emailAddress,
                  email: room.emailAddress,
                  roomList: null,
                },
              ]
            : [],
        ),
      };
    },
  };
}
