// The unified manifest for Microsoft 365 (manifest.json in an app package), derived from the XML manifest so that
// both always carry the same id, version, name, URLs, requirement sets and permission: manifest.xml is the one
// source; this file only maps it. The app package (dist/sync-sidebar.zip) is manifest.json + the two icons.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { XMLParser } from "fast-xml-parser";
import { strToU8, zipSync } from "fflate";

const projectRoot = fileURLToPath(new URL("..", import.meta.url));

/** The schema version written as manifestVersion; its JSON schema ships in @microsoft/app-manifest. */
export const UNIFIED_MANIFEST_VERSION = "1.24";
export const UNIFIED_SCHEMA_URL = `https://developer.microsoft.com/json-schemas/teams/v${UNIFIED_MANIFEST_VERSION}/MicrosoftTeams.schema.json`;
export const APP_PACKAGE_NAME = "sync-sidebar.zip";
/** Files of the app package besides manifest.json: the colour (192×192) and outline (32×32, transparent) icons. */
export const PACKAGE_ICONS = { color: "color.png", outline: "outline.png" } as const;

/** XML <Permissions> → the unified manifest's resource-specific permission (Microsoft's mapping table). */
const PERMISSIONS: Record<string, string> = {
  Restricted: "MailboxItem.Restricted.User",
  ReadItem: "MailboxItem.Read.User",
  ReadWriteItem: "MailboxItem.ReadWrite.User",
  ReadWriteMailbox: "Mailbox.ReadWrite.User",
};

/** Pane-side sign-in settings that let Nested App Authentication consent come with the deployment. */
export interface UnifiedAuthOptions {
  /** The pane's Entra app registration (AUTH_CLIENT_ID). */
  clientId: string;
  /** The API's scopes (AUTH_API_SCOPES, e.g. api://<backend id>/access_as_user): the resource is taken from the first. */
  apiScopes?: string[];
}

export class UnifiedManifestError extends Error {
  override name = "UnifiedManifestError";
}

type Node = Record<string, unknown>;

function list<T>(value: T | T[] | undefined): T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function need<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || value === "")
    throw new UnifiedManifestError(`manifest.xml has no ${what}`);
  return value;
}

/**
 * The unified app's own id. Microsoft asks for an id other than the XML add-in's (the two are linked by alternates,
 * not by sharing an id); deriving it from the XML's Id (a name-based UUID, RFC 4122 version 5 layout) keeps one
 * source: change the XML Id and the app id follows.
 */
export function unifiedAppId(xmlId: string): string {
  const hash = createHash("sha1").update(`sync-sidebar unified manifest:${xmlId.toLowerCase()}`).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** "0.1.0.0" (Office's four parts) → "0.1.0" (the unified manifest's semver). */
function semverOf(officeVersion: string): string {
  const match = /^(\d+)\.(\d+)\.(\d+)(?:\.\d+)?$/.exec(officeVersion.trim());
  if (!match) throw new UnifiedManifestError(`<Version> "${officeVersion}" is not X.Y.Z.W`);
  return `${Number(match[1])}.${Number(match[2])}.${Number(match[3])}`;
}

function resourcesOf(overrides: Node) {
  const resources = need(overrides.Resources as Node | undefined, "<Resources>");
  const byId = (group: string, item: string): Map<string, string> => {
    const entries = list((resources[group] as Node | undefined)?.[item] as Node | Node[] | undefined);
    return new Map(entries.map((entry) => [entry["@id"] as string, entry["@DefaultValue"] as string]));
  };
  return {
    images: byId("Images", "Image"),
    urls: byId("Urls", "Url"),
    short: byId("ShortStrings", "String"),
    long: byId("LongStrings", "String"),
  };
}

function minVersionOf(overrides: Node): string {
  return need(
    ((overrides.Requirements as Node | undefined)?.Sets as Node | undefined)?.["@DefaultMinVersion"] as string,
    "VersionOverrides requirement",
  );
}

/** The facts both manifests share, read from the XML manifest (dev or stamped). */
export function addinFacts(xml: string) {
  const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", removeNSPrefix: true }).parse(
    xml,
  ) as { OfficeApp?: Node };
  const app = need(parsed.OfficeApp, "<OfficeApp>");
  const attr = (name: string) => need((app[name] as Node | undefined)?.["@DefaultValue"] as string, `<${name}>`);
  const outer = need(app.VersionOverrides as Node | undefined, "<VersionOverrides>");
  // The innermost block is what the newest clients (every client that reads a unified manifest) use.
  const inner = (outer.VersionOverrides as Node | undefined) ?? outer;
  const host = (inner.Hosts as Node).Host as Node;
  const points = list((host.DesktopFormFactor as Node).ExtensionPoint as Node | Node[]);
  const read = need(
    points.find((point) => point["@type"] === "MessageReadCommandSurface"),
    "MessageReadCommandSurface",
  );
  const group = (read.OfficeTab as Node).Group as Node;
  const control = group.Control as Node;
  const action = control.Action as Node;
  const resources = resourcesOf(inner);
  const icons = list((control.Icon as Node).Image as Node | Node[]).map((image) => ({
    size: Number(image["@size"]),
    url: need(resources.images.get(image["@resid"] as string), `image ${String(image["@resid"])}`),
  }));
  const supertip = control.Supertip as Node;
  const baseSets = list(((app.Requirements as Node | undefined)?.Sets as Node | undefined)?.Set as Node | Node[]);
  const mailbox = baseSets.find((set) => set["@Name"] === "Mailbox");
  return {
    id: need(app.Id as string, "<Id>"),
    version: need(app.Version as string, "<Version>"),
    provider: need(app.ProviderName as string, "<ProviderName>"),
    name: attr("DisplayName"),
    description: attr("Description"),
    iconUrl: attr("IconUrl"),
    highResolutionIconUrl: attr("HighResolutionIconUrl"),
    supportUrl: attr("SupportUrl"),
    appDomains: list(((app.AppDomains as Node | undefined)?.AppDomain as string | string[] | undefined) ?? []),
    permission: need(app.Permissions as string, "<Permissions>"),
    /** Mailbox version the XML add-in installs on; the commands and the pinnable pane need the overrides'. */
    requirementSets: {
      install: (mailbox?.["@MinVersion"] as string | undefined) ?? "1.1",
      commands: minVersionOf(outer),
      pinning: minVersionOf(inner),
    },
    taskpaneUrl: need(resources.urls.get((action.SourceLocation as Node)["@resid"] as string), "taskpane URL"),
    pinnable: String(action.SupportsPinning) === "true",
    groupLabel: need(resources.short.get((group.Label as Node)["@resid"] as string), "group label"),
    buttonLabel: need(resources.short.get((control.Label as Node)["@resid"] as string), "button label"),
    buttonTip: need(resources.long.get((supertip.Description as Node)["@resid"] as string), "button tip"),
    icons,
  };
}

export type AddinFacts = ReturnType<typeof addinFacts>;

function resourceOf(scope: string | undefined): string | undefined {
  if (!scope) return undefined;
  const slash = scope.lastIndexOf("/");
  return slash > "api://".length ? scope.slice(0, slash) : scope;
}

/** The unified manifest (manifest.json) for the add-in the XML manifest describes. */
export function unifiedManifestFrom(xml: string, auth: UnifiedAuthOptions | null = null): Record<string, unknown> {
  const facts = addinFacts(xml);
  const base = new URL(facts.taskpaneUrl);
  const domains = [base.host, ...facts.appDomains.map((domain) => new URL(domain).host)];
  const permission = PERMISSIONS[facts.permission];
  if (!permission)
    throw new UnifiedManifestError(`<Permissions>${facts.permission}</Permissions> has no unified mapping`);
  const capability = (minVersion: string) => [{ name: "Mailbox", minVersion }];
  const resource = resourceOf(auth?.apiScopes?.[0]);
  return {
    $schema: UNIFIED_SCHEMA_URL,
    manifestVersion: UNIFIED_MANIFEST_VERSION,
    id: unifiedAppId(facts.id),
    version: semverOf(facts.version),
    localizationInfo: { defaultLanguageTag: "en-us" },
    developer: {
      name: facts.provider,
      websiteUrl: facts.supportUrl,
      privacyUrl: facts.supportUrl,
      termsOfUseUrl: facts.supportUrl,
    },
    name: { short: facts.name, full: facts.name },
    description: { short: facts.name, full: facts.description },
    icons: { outline: PACKAGE_ICONS.outline, color: PACKAGE_ICONS.color },
    accentColor: "#0F6CBD",
    validDomains: [...new Set(domains)],
    // The Entra app the pane signs in with: admin consent for Nested App Authentication comes with deployment.
    ...(auth ? { webApplicationInfo: { id: auth.clientId, ...(resource ? { resource } : {}) } } : {}),
    authorization: { permissions: { resourceSpecific: [{ name: permission, type: "Delegated" }] } },
    extensions: [
      {
        requirements: { scopes: ["mail"], capabilities: capability(facts.requirementSets.commands) },
        runtimes: [
          {
            id: "TaskPaneRuntime",
            type: "general",
            // The query tells the pane it was installed from this manifest (its reach report says which).
            code: { page: `${facts.taskpaneUrl}?manifest=unified` },
            lifetime: "short",
            // Pinning needs Mailbox 1.5 (requirementSets.pinning), which every client that reads this manifest has.
            actions: [{ id: "openSyncSidebar", type: "openPage", view: "dashboard", pinnable: facts.pinnable }],
          },
        ],
        ribbons: [
          {
            contexts: ["mailRead", "mailCompose"],
            tabs: [
              {
                builtInTabId: "TabDefault",
                groups: [
                  {
                    id: "syncSidebarGroup",
                    label: facts.groupLabel,
                    icons: facts.icons,
                    controls: [
                      {
                        id: "syncSidebarOpen",
                        type: "button",
                        label: facts.buttonLabel,
                        icons: facts.icons,
                        supertip: { title: facts.buttonLabel, description: facts.buttonTip },
                        actionId: "openSyncSidebar",
                      },
                    ],
                  },
                ],
              },
            ],
          },
        ],
        // One add-in in the user's Outlook: where this app is installed, the XML add-in with that Id is hidden.
        alternates: [
          {
            hide: { customOfficeAddin: { officeAddinId: facts.id } },
            // The XML's IconUrl (64 px) and HighResolutionIconUrl (128 px image, declared at 64 as the schema asks).
            alternateIcons: {
              icon: { size: 64, url: facts.iconUrl },
              highResolutionIcon: { size: 64, url: facts.highResolutionIconUrl },
            },
          },
        ],
      },
    ],
  };
}

/** The app package: manifest.json and the two icons from assets/, as a zip (Integrated Apps, sideloading). */
export function appPackage(manifest: Record<string, unknown>, assetsDir = path.join(projectRoot, "assets")): Buffer {
  const files: Record<string, Uint8Array> = {
    "manifest.json": strToU8(`${JSON.stringify(manifest, null, 2)}\n`),
    [PACKAGE_ICONS.color]: readFileSync(path.join(assetsDir, PACKAGE_ICONS.color)),
    [PACKAGE_ICONS.outline]: readFileSync(path.join(assetsDir, PACKAGE_ICONS.outline)),
  };
  return Buffer.from(zipSync(files, { level: 9, mtime: new Date("2026-01-01T00:00:00Z") }));
}
