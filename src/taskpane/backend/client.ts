/**
 * The pane's typed client of the companion API: fetch with the signed-in user's bearer token, problem+json turned
 * into ApiError (field errors included), one retry with a fresh token on 401, network failures as
 * BackendUnavailableError. Types come from src/contract; nothing here knows about React.
 */
import type {
  AuditEventDto,
  ClientConfigDto,
  EmailConfigDto,
  EmailConfigInput,
  MailboxStatusDto,
  MeDto,
  NewOrgUserInput,
  OrgDto,
  OrgUserDto,
  Page,
  ProblemDetails,
  UpdateOrgUserInput,
  UserImportInput,
  UserImportResultDto,
  UserCheckStatus,
} from "../../contract/api";
import type { AttestationDto } from "../../contract/attestation";
import type {
  ConnectionProfileDto,
  ConnectionProfileListDto,
  MoveToSuggestedInput,
  MoveToSuggestedResultDto,
  MoveUsersToProfileResultDto,
} from "../../contract/profiles";
import type {
  CanaryDirectorySuggestionsDto,
  CanaryDto,
  CanaryInput,
  CanaryListDto,
  CanaryVerdictDto,
} from "../../contract/canaries";
import type { CategoryId } from "../../contract/categories";
import type {
  CheckEventsTicketDto,
  CheckResultDto,
  CheckResultsQuery,
  CheckRunDto,
  DiscoverEwsUrlInput,
  DiscoveryResultDto,
  RbacScriptDto,
  ServiceAccountSignInInput,
  StartCheckRunDto,
  StartCheckRunInput,
} from "../../contract/checks";
import type {
  AlertChannelsDto,
  AlertChannelsInput,
  AlertRulesInput,
  AlertSettingsDto,
  ChannelTestDto,
  DeliveryAttemptDto,
  FailingUserDto,
  MonitoringScheduleDto,
  MonitoringScheduleInput,
  RunHistoryEntryDto,
  StatusChangeDto,
} from "../../contract/monitoring";
import type {
  ReachFilter,
  ReachSummaryDto,
  SidebarReportInput,
  SidebarReportResultDto,
  UserReachDto,
} from "../../contract/reach";
import { ApiError, BackendUnavailableError, SessionExpiredError } from "./errors";

export interface TokenSource {
  /** A token for the API; `forceRefresh` skips the cache after the API refused the cached one. */
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
}

export interface ApiClientOptions {
  /** Origin + path prefix of the API; "" means same origin (the dev server and the e2e server proxy /api). */
  baseUrl?: string;
  tokens: TokenSource;
  fetch?: typeof fetch;
}

interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
  /** Public routes (client-config) need no token. */
  anonymous?: boolean;
}

export interface PageQuery {
  cursor?: string;
  limit?: number;
}

export interface FetchedFile {
  blob: Blob;
  filename: string;
}

function withQuery(path: string, query: RequestOptions["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) params.set(key, String(value));
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

async function problemOf(response: Response): Promise<ProblemDetails | null> {
  const type = response.headers.get("content-type") ?? "";
  if (!type.includes("json")) return null;
  try {
    const body = (await response.json()) as Partial<ProblemDetails>;
    if (typeof body.title !== "string") return null;
    return { ...body, type: body.type ?? "about:blank", title: body.title, status: response.status };
  } catch {
    return null;
  }
}

const enc = encodeURIComponent;

export class ApiClient {
  private readonly baseUrl: string;
  private readonly tokens: TokenSource;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl ?? "";
    this.tokens = options.tokens;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  private async send(method: string, path: string, options: RequestOptions, forceRefresh = false): Promise<Response> {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (!options.anonymous) headers.authorization = `Bearer ${await this.tokens.getToken({ forceRefresh })}`;
    let response: Response;
    try {
      response = await this.fetchImpl(this.baseUrl + withQuery(path, options.query), {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch (error) {
      throw new BackendUnavailableError(error);
    }
    if (response.status === 401 && !options.anonymous) {
      if (!forceRefresh) return this.send(method, path, options, true);
      throw new SessionExpiredError();
    }
    if (response.ok) return response;
    const problem = await problemOf(response);
    // A proxy (dev server) answers 5xx without problem+json when the backend process is not running.
    if (
      !problem &&
      (response.status === 502 || response.status === 503 || response.status === 504 || response.status === 500)
    ) {
      throw new BackendUnavailableError();
    }
    throw new ApiError(
      response.status,
      problem ?? {
        type: "about:blank",
        title: response.statusText || `HTTP ${response.status}`,
        status: response.status,
      },
    );
  }

  private async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private async file(path: string, query?: RequestOptions["query"], fallbackName = "export.csv"): Promise<FetchedFile> {
    const response = await this.send("GET", path, { headers: { accept: "text/csv" }, ...(query ? { query } : {}) });
    const disposition = response.headers.get("content-disposition") ?? "";
    const filename = /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallbackName;
    return { blob: await response.blob(), filename };
  }

  clientConfig(): Promise<ClientConfigDto> {
    return this.json("GET", "/api/client-config", { anonymous: true });
  }

  me(): Promise<MeDto> {
    return this.json("GET", "/api/me");
  }

  mailboxStatus(orgId?: string): Promise<MailboxStatusDto> {
    return this.json("GET", "/api/me/mailbox-status", { query: { orgId } });
  }

  orgs(): Promise<Page<OrgDto>> {
    return this.json("GET", "/api/orgs");
  }

  users(
    orgId: string,
    query: { search?: string; status?: UserCheckStatus; profileId?: string; cursor?: string; limit?: number } = {},
  ): Promise<Page<OrgUserDto>> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/users`, { query });
  }

  addUser(orgId: string, user: NewOrgUserInput): Promise<OrgUserDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/users`, { body: user });
  }

  importUsers(orgId: string, input: UserImportInput): Promise<UserImportResultDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/users`, { body: input });
  }

  updateUser(orgId: string, userId: string, change: UpdateOrgUserInput): Promise<OrgUserDto> {
    return this.json("PATCH", `/api/orgs/${enc(orgId)}/users/${enc(userId)}`, { body: change });
  }

  removeUser(orgId: string, userId: string): Promise<void> {
    return this.json("DELETE", `/api/orgs/${enc(orgId)}/users/${enc(userId)}`);
  }

  /** Pins the users to a profile (null: they follow the rules, Automatic and the default); all of them or none. */
  moveUsersToProfile(orgId: string, userIds: string[], profileId: string | null): Promise<MoveUsersToProfileResultDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/users/move-profile`, { body: { userIds, profileId } });
  }

  /** Moves the listed users (or every user with one) to the profile their latest check suggests; all or none. */
  moveToSuggested(orgId: string, input: MoveToSuggestedInput): Promise<MoveToSuggestedResultDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/users/move-to-suggested`, { body: input });
  }

  profiles(orgId: string): Promise<ConnectionProfileListDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/profiles`);
  }

  addProfile(orgId: string, name: string): Promise<ConnectionProfileDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/profiles`, { body: { name } });
  }

  renameProfile(orgId: string, profileId: string, version: number, name: string): Promise<ConnectionProfileDto> {
    return this.json("PATCH", `/api/orgs/${enc(orgId)}/profiles/${enc(profileId)}`, {
      body: { name },
      headers: { "if-match": `"${version}"` },
    });
  }

  deleteProfile(orgId: string, profileId: string): Promise<void> {
    return this.json("DELETE", `/api/orgs/${enc(orgId)}/profiles/${enc(profileId)}`);
  }

  setDefaultProfile(orgId: string, profileId: string): Promise<ConnectionProfileDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/profiles/${enc(profileId)}/default`);
  }

  /** One profile's configuration, without secrets (the Email Configuration form opened on it). */
  profile(orgId: string, profileId: string): Promise<ConnectionProfileDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/profiles/${enc(profileId)}`);
  }

  saveProfile(
    orgId: string,
    profileId: string,
    version: number,
    input: EmailConfigInput,
  ): Promise<ConnectionProfileDto> {
    return this.json("PUT", `/api/orgs/${enc(orgId)}/profiles/${enc(profileId)}`, {
      body: input,
      headers: { "if-match": `"${version}"` },
    });
  }

  emailConfig(orgId: string): Promise<EmailConfigDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/email-config`);
  }

  saveEmailConfig(orgId: string, version: number, input: EmailConfigInput): Promise<EmailConfigDto> {
    return this.json("PUT", `/api/orgs/${enc(orgId)}/email-config`, {
      body: input,
      headers: { "if-match": `"${version}"` },
    });
  }

  discover(orgId: string, input: DiscoverEwsUrlInput): Promise<DiscoveryResultDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/email-config/discover`, { body: input });
  }

  signInServiceAccount(orgId: string, input: ServiceAccountSignInInput): Promise<EmailConfigDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/email-config/service-account`, { body: input });
  }

  rbacScript(orgId: string, query: { appId: string; servicePrincipalObjectId: string }): Promise<RbacScriptDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/email-config/rbac-script`, { query });
  }

  canaries(orgId: string): Promise<CanaryListDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/canaries`);
  }

  /** Directory mailboxes outside the organization's users, read through the saved configuration. */
  canarySuggestions(orgId: string): Promise<CanaryDirectorySuggestionsDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/canaries/suggestions`);
  }

  addCanary(orgId: string, input: CanaryInput): Promise<CanaryDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/canaries`, { body: input });
  }

  removeCanary(orgId: string, canaryId: string): Promise<void> {
    return this.json("DELETE", `/api/orgs/${enc(orgId)}/canaries/${enc(canaryId)}`);
  }

  checkCanaries(orgId: string, runId: string): Promise<{ items: CanaryVerdictDto[] }> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/checks/${enc(runId)}/canaries`);
  }

  audit(orgId: string, query: { cursor?: string; limit?: number } = {}): Promise<Page<AuditEventDto>> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/audit`, { query });
  }

  auditCsv(orgId: string): Promise<FetchedFile> {
    return this.file(`/api/orgs/${enc(orgId)}/audit.csv`, undefined, "audit.csv");
  }

  startCheck(orgId: string, input: StartCheckRunInput): Promise<StartCheckRunDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/checks`, { body: input });
  }

  recentChecks(orgId: string, limit = 20): Promise<{ items: CheckRunDto[] }> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/checks`, { query: { limit } });
  }

  checkRun(orgId: string, runId: string): Promise<CheckRunDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/checks/${enc(runId)}`);
  }

  checkResults(orgId: string, runId: string, query: CheckResultsQuery = {}): Promise<Page<CheckResultDto>> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/checks/${enc(runId)}/results`, { query: { ...query } });
  }

  /** The run's results as CSV: of one category, and of one connection profile's users, when named. */
  checkResultsCsv(orgId: string, runId: string, category?: CategoryId, profile?: string): Promise<FetchedFile> {
    return this.file(
      `/api/orgs/${enc(orgId)}/checks/${enc(runId)}/results.csv`,
      { category, profile },
      "check-results.csv",
    );
  }

  checkAttestation(orgId: string, runId: string): Promise<AttestationDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/checks/${enc(runId)}/attestation`);
  }

  cancelCheck(orgId: string, runId: string): Promise<CheckRunDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/checks/${enc(runId)}/cancel`);
  }

  checkEventsTicket(orgId: string, runId: string): Promise<CheckEventsTicketDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/checks/${enc(runId)}/events/ticket`);
  }

  monitoringSchedule(orgId: string): Promise<MonitoringScheduleDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/monitoring/schedule`);
  }

  saveMonitoringSchedule(orgId: string, input: MonitoringScheduleInput): Promise<MonitoringScheduleDto> {
    return this.json("PUT", `/api/orgs/${enc(orgId)}/monitoring/schedule`, { body: input });
  }

  alertSettings(orgId: string): Promise<AlertSettingsDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/monitoring/alerts`);
  }

  saveAlertRules(orgId: string, input: AlertRulesInput): Promise<AlertSettingsDto> {
    return this.json("PUT", `/api/orgs/${enc(orgId)}/monitoring/alerts`, { body: input });
  }

  alertChannels(orgId: string): Promise<AlertChannelsDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/monitoring/channels`);
  }

  saveAlertChannels(orgId: string, input: AlertChannelsInput): Promise<AlertChannelsDto> {
    return this.json("PUT", `/api/orgs/${enc(orgId)}/monitoring/channels`, { body: input });
  }

  testAlertChannels(orgId: string): Promise<ChannelTestDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/monitoring/channels/test`);
  }

  alertDeliveries(orgId: string, query: PageQuery = {}): Promise<Page<DeliveryAttemptDto>> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/monitoring/deliveries`, { query: { ...query } });
  }

  runHistory(orgId: string, query: PageQuery = {}): Promise<Page<RunHistoryEntryDto>> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/monitoring/history`, { query: { ...query } });
  }

  statusChanges(orgId: string, query: PageQuery & { userId?: string } = {}): Promise<Page<StatusChangeDto>> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/monitoring/status-changes`, { query: { ...query } });
  }

  reportSidebar(orgId: string, report: SidebarReportInput): Promise<SidebarReportResultDto> {
    return this.json("POST", `/api/orgs/${enc(orgId)}/sidebar-reports`, { body: report });
  }

  reachUsers(orgId: string, filter?: ReachFilter): Promise<{ items: UserReachDto[] }> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/reach/users`, { query: { filter } });
  }

  reachSummary(orgId: string): Promise<ReachSummaryDto> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/reach/summary`);
  }

  failingUsers(orgId: string): Promise<{ items: FailingUserDto[] }> {
    return this.json("GET", `/api/orgs/${enc(orgId)}/monitoring/failing-users`);
  }

  /** Absolute URL of an API path (EventSource needs one). */
  url(path: string): string {
    return new URL(this.baseUrl + path, globalThis.location?.href ?? "http://localhost/").toString();
  }
}
