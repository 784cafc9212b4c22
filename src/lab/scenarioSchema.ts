/**
 * The scenario file's shape as one TypeBox schema: every field is named once, with its default and the sentence a
 * problem with it is reported in (`message`). src/lab/scenario.ts validates against it and derives the types.
 */
import { Type, type TSchema } from "@sinclair/typebox";

export const MAILBOX_STATES = [
  "ok",
  "none",
  "disabled",
  "moving",
  "unavailable",
  "alias",
  "unresolved",
  "kiosk",
] as const;

export const FAULT_KINDS = ["http500", "reset", "truncated", "malformed", "noAnswer", "throttle"] as const;

/** How the EWS and Autodiscover virtual directories let callers sign in on-premises ("kerberos": Negotiate only). */
export const EWS_AUTH_METHODS = ["ntlm", "basic", "kerberos"] as const;

export const FAULT_SERVICES = ["ews", "graph", "autodiscover", "any"] as const;

/** Hybrid: where a user's mailbox lives; the on-premises EWS and Autodiscover, or Exchange Online through Graph. */
export const MAILBOX_LOCATIONS = ["onprem", "cloud"] as const;

/** The product's access type ids a demo organization's profiles name (the lab imports nothing from the product). */
export const PROFILE_ACCESS_TYPES = ["ews_basic_impersonation", "ews_oauth_impersonation", "graph_app_only"] as const;

/** Client-credential refusals the identity provider plays for an app (Entra AADSTS7000222, AADSTS53003). */
export const CREDENTIAL_FAILURES = ["secretExpired", "conditionalAccess"] as const;

const GUID = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
const EMAIL = '^[^\\s@<>"]+@[^\\s@<>"]+\\.[^\\s@<>"]+$';
const DOMAIN = "^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$";

/** An object that refuses unknown fields (keys starting with "$", such as "$comment", are removed before checking). */
const Fields = <P extends Record<string, TSchema>>(properties: P, options: { default?: object } = {}) =>
  Type.Object(properties, { additionalProperties: false, message: "must be an object", ...options });

const Text = (options: { pattern?: string; message?: string; default?: string } = {}) =>
  Type.String({ minLength: 1, message: "must be a non-empty string", ...options });
const Guid = () => Text({ pattern: GUID, message: "must be a GUID" });
const Email = () => Text({ pattern: EMAIL, message: "must be an email address" });
const Flag = (fallback: boolean) => Type.Boolean({ default: fallback, message: "must be true or false" });
const Integer = (minimum: number, maximum: number, fallback: number) =>
  Type.Integer({ minimum, maximum, default: fallback, message: `must be an integer from ${minimum} to ${maximum}` });
const OneOf = <T extends string>(values: readonly T[], fallback?: T) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { message: `must be one of ${values.join(", ")}`, ...(fallback === undefined ? {} : { default: fallback }) },
  );
const List = <T extends TSchema>(items: T, fallback?: unknown[]) =>
  Type.Array(items, { message: "must be an array", ...(fallback === undefined ? {} : { default: fallback }) });
const Refresh = () => OneOf(["ok", "revoked"] as const, "ok");

/** Who a principal or app may reach: everyone, nobody, the users inside the management scope, or a list. */
const Scope = ({ fallback }: { fallback?: "all" } = { fallback: "all" }) =>
  Type.Union([Type.Literal("all"), Type.Literal("none"), Type.Literal("scoped"), Type.Array(Email())], {
    ...(fallback === undefined ? {} : { default: fallback }),
    message: 'must be "all", "none", "scoped" or an array of email addresses',
  });

export const UserSchema = Fields({
  email: Email(),
  displayName: Type.Optional(Text()),
  password: Text(),
  /** ok works; none → ErrorNonExistentMailbox / MailboxNotEnabledForRESTAPI; alias → ErrorNonPrimarySmtpAddress;
   * unresolved → ErrorImpersonationFailed; kiosk → HTTP 403 from EWS in online mode (F1/F3 licence block). */
  mailbox: OneOf(MAILBOX_STATES, "ok"),
  /** Required when mailbox is "alias": the address Exchange answers with. */
  primarySmtpAddress: Type.Optional(Email()),
  /** False puts the user outside the management scope ("scoped" rights and RBAC scopes exclude them). */
  inManagementScope: Flag(true),
  /** "revoked" makes every refresh-token redemption for this user fail with invalid_grant. */
  refresh: Refresh(),
  /** Online: false answers EWS for this mailbox with 403 (Set-CASMailbox -EwsEnabled $false). */
  ewsEnabled: Type.Optional(Type.Boolean({ message: "must be true or false" })),
  /**
   * Hybrid only: where the mailbox lives (default onprem). A cloud mailbox answers the on-premises EWS with
   * ErrorNonExistentMailbox and its Autodiscover with a redirect to the cloud routing address; an on-premises one
   * answers Graph with 404 MailboxNotEnabledForRESTAPI.
   */
  location: Type.Optional(OneOf(MAILBOX_LOCATIONS)),
  /** Hybrid only: synced from on-premises Active Directory (default true); false is a cloud-only user. */
  synced: Type.Optional(Type.Boolean({ message: "must be true or false" })),
  /** The mailbox's first `times` Graph requests answer 429 ApplicationThrottled (MailboxConcurrency). */
  graphThrottled: Type.Optional(
    Fields({
      times: Integer(1, 1_000_000, 1),
      retryAfterSeconds: Type.Number({
        minimum: 0,
        maximum: 3600,
        default: 1,
        message: "must be a number from 0 to 3600",
      }),
    }),
  ),
});

export const ServiceAccountSchema = Fields({
  email: Email(),
  displayName: Type.Optional(Text()),
  password: Text(),
  /** Which mailboxes this account may impersonate over EWS (ApplicationImpersonation and its scope). */
  impersonation: Scope(),
  /** Without its own mailbox and licence the account cannot read its own folders, rooms or room lists. */
  hasMailbox: Flag(true),
  refresh: Refresh(),
  /**
   * This account's own EWSMaxConcurrency (its throttling policy), in place of throttling.budget: one scenario can
   * hold many organizations' service accounts, each with its own budget.
   */
  ewsBudget: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 10_000, message: "must be an integer from 1 to 10000" }),
  ),
});

export const AppOnlySchema = Fields({
  clientId: Guid(),
  displayName: Text({ default: "App-only registration" }),
  secret: Type.Optional(Text()),
  /** PEM certificate (public part) for private_key_jwt client assertions, as msal-node sends them. */
  certificatePem: Type.Optional(Text({ pattern: "-----BEGIN CERTIFICATE-----", message: "must be a PEM certificate" })),
  /** Application permissions per resource URI, e.g. {"https://graph.microsoft.com": ["Mail.Read"]}. */
  roles: Type.Record(Type.String(), List(Text()), { default: {}, message: "must be an object" }),
  /** RBAC for Applications: the mailboxes the app may reach. */
  mailboxScope: Scope(),
  /** RBAC grants per permission: the mailboxes whose calendar the app may read (default: mailboxScope). */
  calendarScope: Type.Optional(Scope({})),
  /** Graph permissions also consented tenant-wide in Entra ID: in the token, and they reach every mailbox. */
  tenantWideConsent: Type.Optional(List(Text())),
  /** The identity provider refuses this app's client credentials with Entra's AADSTS answer. */
  credentialFailure: Type.Optional(OneOf(CREDENTIAL_FAILURES)),
});

export const FaultSchema = Fields({
  kind: OneOf(FAULT_KINDS),
  /** Probability per request, 0..1 (default 1 when users is given, else 0). */
  rate: Type.Optional(Type.Number({ minimum: 0, maximum: 1, message: "must be a number from 0 to 1" })),
  /** Only requests whose target mailbox is one of these addresses. */
  users: Type.Optional(List(Email())),
  service: OneOf(FAULT_SERVICES, "any"),
});

/** One connection profile of the product's demo organization, named by what the lab holds for it. */
export const ProfileSchema = Fields({
  name: Text(),
  accessType: OneOf(PROFILE_ACCESS_TYPES),
  /** EWS types: the service account (an entry of serviceAccounts) whose logon and password the profile holds. */
  serviceAccount: Type.Optional(Email()),
  /** graph_app_only: the app registration (an entry of apps.appOnly) whose client id and secret it holds. */
  appClientId: Type.Optional(Guid()),
  /** The organization's default profile (exactly one is). */
  default: Flag(false),
});

export const ScenarioSchema = Fields({
  name: Text({ default: "unnamed" }),
  tenantId: Guid(),
  domain: Text({ pattern: DOMAIN, message: "must be a DNS domain such as contoso.lab" }),
  mode: OneOf(["online", "onprem"] as const),
  ewsBlocked: Flag(false),
  /** Online: when set, only tokens of these app (client) ids may use EWS (EwsApplicationAccessPolicy EnforceAllowList). */
  ewsAllowedAppIds: Type.Optional(List(Guid())),
  /** On-premises: the sign-in methods EWS and Autodiscover POX offer; ["ntlm"] as Exchange ships (Basic off). */
  ewsAuth: List(OneOf(EWS_AUTH_METHODS), ["ntlm"]),
  /** On-premises: NTLM sign-ins must carry the TLS channel binding (Extended Protection behind TLS offloading). */
  ewsExtendedProtection: Flag(false),
  /**
   * On-premises mode only: a hybrid organization. The on-premises server (EWS, Autodiscover) holds the users whose
   * location is onprem; Exchange Online (Graph) those in the cloud; Entra ID knows every user, synced ones included.
   */
  hybrid: Type.Optional(
    Fields({
      /** The tenant's routing domain for remote mailboxes' targetAddress, e.g. contoso.mail.onmicrosoft.com. */
      routingDomain: Text({ pattern: DOMAIN, message: "must be a DNS domain such as contoso.mail.onmicrosoft.com" }),
    }),
  ),
  /**
   * What the product's demo organization starts with when `npm start` plays this scenario: its connection profiles
   * and how users are placed in them. The lab only checks the names it refers to.
   */
  demoOrganization: Type.Optional(
    Fields({
      /** The demo organization's admin (one of the users); npm start signs the demo in as them. */
      admin: Type.Optional(Email()),
      profiles: List(ProfileSchema),
      placement: OneOf(["automatic", "default"] as const, "automatic"),
    }),
  ),
  latencyMs: Fields({ min: Integer(0, 600_000, 0), max: Integer(0, 600_000, 0) }, { default: {} }),
  throttling: Fields(
    {
      /** Concurrent EWS requests per service account (EWSMaxConcurrency). */
      budget: Integer(1, 10_000, 27),
      response: OneOf(["serverBusy", "http503"] as const, "serverBusy"),
      backOffMs: Integer(0, 3_600_000, 2000),
      /** Concurrent Graph requests per app before 429. */
      graphBudget: Integer(1, 10_000, 27),
      graphRetryAfterSeconds: Integer(0, 3600, 2),
    },
    { default: {} },
  ),
  tokens: Fields(
    { accessTokenSeconds: Integer(5, 86_400, 3600), refreshTokenSeconds: Integer(5, 31_536_000, 7_776_000) },
    { default: {} },
  ),
  faults: List(FaultSchema, []),
  serviceAccounts: List(ServiceAccountSchema, []),
  /**
   * Mailboxes kept outside every scope on purpose (the product's canaries): working mailboxes in the directory, in no
   * management scope, never among the organization's users. A consent or role that reaches them is a scope leak.
   */
  canaries: List(Fields({ email: Email(), displayName: Text({ default: "Sync Sidebar canary" }) }), []),
  apps: Fields({
    spa: Fields({
      clientId: Guid(),
      redirectPaths: List(Text({ pattern: "^/[^\\s?#]*$", message: "must be a path starting with /" }), ["/auth.html"]),
    }),
    backend: Fields({
      clientId: Guid(),
      secret: Text(),
      apiScope: Text({
        pattern: "^api://[^/\\s]+/[^/\\s]+$",
        message: "must be api://<name>/<scope>",
        default: "api://sync-sidebar/access_as_user",
      }),
    }),
    appOnly: List(AppOnlySchema, []),
  }),
  users: List(UserSchema),
  roomLists: List(Fields({ email: Email(), displayName: Text() }), []),
  rooms: List(Fields({ email: Email(), displayName: Text(), roomList: Email() }), []),
});
