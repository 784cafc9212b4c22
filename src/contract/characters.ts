/**
 * Characters that text the product stores must not carry, because something downstream (an XML or header encoder,
 * a terminal, a spreadsheet, a reader's eye) would drop, change or misread them. The address and display-name rules
 * build on these; each finding says which character and where, so a refusal can name it.
 */

/** Names of the invisible and bidirectional characters a refusal names, so the admin can find them. */
const CHARACTER_NAMES: Readonly<Record<number, string>> = {
  0x00ad: "SOFT HYPHEN",
  0x061c: "ARABIC LETTER MARK",
  0x180e: "MONGOLIAN VOWEL SEPARATOR",
  0x200b: "ZERO WIDTH SPACE",
  0x200c: "ZERO WIDTH NON-JOINER",
  0x200d: "ZERO WIDTH JOINER",
  0x200e: "LEFT-TO-RIGHT MARK",
  0x200f: "RIGHT-TO-LEFT MARK",
  0x2028: "LINE SEPARATOR",
  0x2029: "PARAGRAPH SEPARATOR",
  0x202a: "LEFT-TO-RIGHT EMBEDDING",
  0x202b: "RIGHT-TO-LEFT EMBEDDING",
  0x202c: "POP DIRECTIONAL FORMATTING",
  0x202d: "LEFT-TO-RIGHT OVERRIDE",
  0x202e: "RIGHT-TO-LEFT OVERRIDE",
  0x2060: "WORD JOINER",
  0x2066: "LEFT-TO-RIGHT ISOLATE",
  0x2067: "RIGHT-TO-LEFT ISOLATE",
  0x2068: "FIRST STRONG ISOLATE",
  0x2069: "POP DIRECTIONAL ISOLATE",
  0xfeff: "ZERO WIDTH NO-BREAK SPACE",
};

export type CharacterKind =
  | "control"
  | "line_separator"
  | "bidi_control"
  | "invisible"
  | "lone_surrogate"
  | "noncharacter"
  | "whitespace"
  | "non_ascii"
  | "printable";

/** What kind of character a code point is, as far as the rules here care. */
export function characterKind(codePoint: number): CharacterKind {
  if (codePoint <= 0x1f || (codePoint >= 0x7f && codePoint <= 0x9f)) return "control";
  if (codePoint === 0x2028 || codePoint === 0x2029) return "line_separator";
  if ((codePoint >= 0x202a && codePoint <= 0x202e) || (codePoint >= 0x2066 && codePoint <= 0x2069)) {
    return "bidi_control";
  }
  if (
    codePoint === 0x00ad ||
    codePoint === 0x061c ||
    codePoint === 0x180e ||
    (codePoint >= 0x200b && codePoint <= 0x200f) ||
    (codePoint >= 0x2060 && codePoint <= 0x2064) ||
    codePoint === 0xfeff
  ) {
    return "invisible";
  }
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return "lone_surrogate";
  if ((codePoint >= 0xfdd0 && codePoint <= 0xfdef) || (codePoint & 0xfffe) === 0xfffe) return "noncharacter";
  if (codePoint === 0x20 || /^\s$/u.test(String.fromCodePoint(codePoint))) return "whitespace";
  if (codePoint > 0x7e) return "non_ascii";
  return "printable";
}

/** "U+0001", "U+1F600". */
export function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, "0")}`;
}

/** "a control character (U+0001)", "a bidirectional control character (U+202E RIGHT-TO-LEFT OVERRIDE)". */
export function describeCharacter(codePoint: number, kind: CharacterKind = characterKind(codePoint)): string {
  const label = codePointLabel(codePoint);
  const named = CHARACTER_NAMES[codePoint] ? `${label} ${CHARACTER_NAMES[codePoint]}` : label;
  switch (kind) {
    case "control":
      return `a control character (${label})`;
    case "line_separator":
      return `a line separator (${named})`;
    case "bidi_control":
      return `a bidirectional control character (${named})`;
    case "invisible":
      return `an invisible character (${named})`;
    case "lone_surrogate":
      return `an unpaired surrogate (${label})`;
    case "noncharacter":
      return `a Unicode noncharacter (${label})`;
    case "whitespace":
      return codePoint === 0x20 ? "a space" : `a space character (${label})`;
    case "non_ascii":
      return `a non-ASCII character (${String.fromCodePoint(codePoint)}, ${label})`;
    case "printable":
      return `"${String.fromCodePoint(codePoint)}"`;
  }
}

export interface CharacterFinding {
  codePoint: number;
  kind: CharacterKind;
  /** 1-based position in code points, as a person counts characters. */
  position: number;
}

/** The first character of `value` whose kind is in `refused`, or null. Lone surrogates are seen as themselves. */
export function findCharacter(value: string, refused: ReadonlySet<CharacterKind>): CharacterFinding | null {
  let position = 0;
  for (const character of value) {
    position += 1;
    const codePoint = character.codePointAt(0) ?? 0;
    const kind = characterKind(codePoint);
    if (refused.has(kind)) return { codePoint, kind, position };
  }
  return null;
}

/** "contains a control character (U+0001) at position 9". */
export function describeFinding(finding: CharacterFinding): string {
  return `contains ${describeCharacter(finding.codePoint, finding.kind)} at position ${finding.position}`;
}

/** Characters no stored text may carry: encoders drop them, terminals obey them, readers cannot see them. */
export const NEVER_IN_TEXT: ReadonlySet<CharacterKind> = new Set([
  "control",
  "line_separator",
  "bidi_control",
  "lone_surrogate",
  "noncharacter",
]);
