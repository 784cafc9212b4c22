import { teamsHighContrastTheme, webDarkTheme, webLightTheme, type Theme } from "@fluentui/react-components";
import type { HostThemeKind } from "./office/mailboxHost";

const THEMES: Record<HostThemeKind, Theme> = {
  light: webLightTheme,
  dark: webDarkTheme,
  highContrast: teamsHighContrastTheme,
};

/** The Fluent theme that matches the host's (Office) theme. */
export function fluentThemeFor(kind: HostThemeKind): Theme {
  return THEMES[kind];
}
