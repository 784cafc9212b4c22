/** The origin every URL of the committed dev manifest starts with. */
export const DEV_ORIGIN = "https://localhost:3000";

const LOOPBACK_URL = /https?:\/\/(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])(?::\d+)?[^\s"'<]*/gi;

export class ManifestStampError extends Error {
  override name = "ManifestStampError";
}

/** Office wants a 4-part version (X.Y.Z.W); package.json has semver, so "1.2.3-beta.1" becomes "1.2.3.0". */
export function officeVersion(packageVersion: string): string {
  const match = /^(\d{1,5})\.(\d{1,5})\.(\d{1,5})(?:[-+].*)?$/.exec(packageVersion.trim());
  if (!match) throw new ManifestStampError(`package.json version "${packageVersion}" is not X.Y.Z semver`);
  return `${match[1]}.${match[2]}.${match[3]}.0`;
}

/** Checks ADDIN_BASE_URL and returns it without a trailing slash. */
export function parseBaseUrl(value: string | undefined): string {
  if (!value || value.trim() === "") {
    throw new ManifestStampError(
      "ADDIN_BASE_URL is required: the HTTPS address that will serve dist/ " +
        "(e.g. ADDIN_BASE_URL=https://sidebar.contoso.com npm run build)",
    );
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ManifestStampError(`ADDIN_BASE_URL "${value}" is not a URL`);
  }
  if (url.protocol !== "https:")
    throw new ManifestStampError(
      `ADDIN_BASE_URL must use https (Office loads add-ins over HTTPS only), got "${value}"`,
    );
  if (url.search || url.hash)
    throw new ManifestStampError(`ADDIN_BASE_URL must not have a query or fragment, got "${value}"`);
  return url.href.replace(/\/+$/, "");
}

export interface StampOptions {
  /** package.json version. */
  version: string;
  /** ADDIN_BASE_URL as given. */
  baseUrl: string | undefined;
  /** Extra AppDomains for production sign-in pages (ADDIN_APP_DOMAINS, comma-separated). */
  extraAppDomains?: string[];
}

/**
 * Turns the committed dev manifest into the production one: stamps the version, moves every dev-server URL to
 * ADDIN_BASE_URL, drops AppDomains that point at this machine (the lab's sign-in page), and fails if any loopback URL
 * is left. The result is then schema-validated by the build.
 */
export function stampManifest(devManifest: string, options: StampOptions): string {
  const base = parseBaseUrl(options.baseUrl);
  const versions = devManifest.match(/<Version>[^<]*<\/Version>/g) ?? [];
  if (versions.length !== 1)
    throw new ManifestStampError(`expected one <Version> in manifest.xml, found ${versions.length}`);
  let xml = devManifest.replace(/<Version>[^<]*<\/Version>/, `<Version>${officeVersion(options.version)}</Version>`);

  // Only URL positions change: attribute values and element text that start with the dev origin.
  xml = xml.replaceAll(`"${DEV_ORIGIN}/`, `"${base}/`).replaceAll(`"${DEV_ORIGIN}"`, `"${base}"`);
  xml = xml.replaceAll(`>${DEV_ORIGIN}/`, `>${base}/`).replaceAll(`>${DEV_ORIGIN}<`, `>${base}<`);
  xml = xml.replace(
    /[ \t]*<AppDomain>\s*https?:\/\/(?:localhost|127\.\d+\.\d+\.\d+|\[::1\])[^<]*<\/AppDomain>\r?\n?/gi,
    "",
  );

  const extras = (options.extraAppDomains ?? []).map((domain) => domain.trim()).filter(Boolean);
  if (extras.length > 0) {
    const entries = extras.map((domain) => `    <AppDomain>${escapeXml(parseBaseUrl(domain))}</AppDomain>\n`).join("");
    if (!xml.includes("</AppDomains>")) throw new ManifestStampError("manifest.xml has no <AppDomains> to extend");
    xml = xml.replace(/([ \t]*)<\/AppDomains>/, `${entries}$1</AppDomains>`);
  }

  const survivors = [...new Set(xml.match(LOOPBACK_URL) ?? [])];
  if (survivors.length > 0) {
    throw new ManifestStampError(`the built manifest still points at this machine: ${survivors.join(", ")}`);
  }
  return xml;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}
