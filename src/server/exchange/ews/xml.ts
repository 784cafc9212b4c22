/** XML text and attribute escaping for every value the product puts into a SOAP envelope. */
const XML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&apos;",
};

// Characters XML 1.0 cannot carry at all (even escaped): C0 controls other than tab, LF and CR, lone surrogates, FFFE/FFFF.
const XML_FORBIDDEN =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes a value for element text or a double- or single-quoted attribute; drops characters XML cannot carry. */
export function escapeXml(value: string): string {
  return value.replace(XML_FORBIDDEN, "").replace(/[&<>"']/g, (ch) => XML_ESCAPES[ch] ?? ch);
}
