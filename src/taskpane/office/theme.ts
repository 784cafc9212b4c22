import type { HostThemeKind } from "./mailboxHost";

/** Relative luminance (WCAG) of a "#rrggbb" colour, or null when it is not one. */
export function luminance(hex: string): number | null {
  const match = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex.trim());
  if (!match) return null;
  const [r, g, b] = match.slice(1, 4).map((part) => {
    const channel = parseInt(part, 16) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/**
 * Outlook reports its theme as colours only (themeId and isDarkTheme are not supported there), and Windows contrast
 * themes show up as forced colours in the pane's web view; this turns both into the three themes the pane renders.
 */
export function themeKindFrom(bodyBackgroundColor: string | undefined, forcedColors: boolean): HostThemeKind {
  if (forcedColors) return "highContrast";
  const value = bodyBackgroundColor === undefined ? null : luminance(bodyBackgroundColor);
  return value !== null && value < 0.2 ? "dark" : "light";
}

/** Whether the OS asks for forced (high contrast) colours; false where matchMedia is missing. */
export function forcedColorsActive(view: Pick<Window, "matchMedia"> | undefined = globalThis.window): boolean {
  return typeof view?.matchMedia === "function" && view.matchMedia("(forced-colors: active)").matches;
}
