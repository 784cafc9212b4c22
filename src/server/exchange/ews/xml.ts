/** XML text and attribute escaping for every value the product puts into a SOAP envelope. */
import { refuseCharacters } from "../unencodable.js";

const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

/**
 * Characters XML 1.0 cannot carry at all (even escaped), tested per code point: C0 controls other than tab, LF and
 * CR, unpaired surrogates, FFFE/FFFF.
 */
// eslint-disable-next-line no-control-regex
const XML_FORBIDDEN = /^(?:[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDFFF])$/;

/**
 * Escapes a value for element text or a double- or single-quoted attribute. A character XML cannot carry throws
 * UnencodableValueError: dropping it would send another value (another mailbox's address) than the one stored.
 */
export function escapeXml(value: string): string {
  refuseCharacters(value, XML_FORBIDDEN, "XML");
  return value.replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] ?? ch);
}
