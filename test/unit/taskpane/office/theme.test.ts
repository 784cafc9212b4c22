import { describe, expect, it } from "vitest";
import { forcedColorsActive, luminance, themeKindFrom } from "../../../../src/taskpane/office/theme";

describe("Office theme mapping", () => {
  it("computes relative luminance of hex colours and rejects anything else", () => {
    expect(luminance("#ffffff")).toBeCloseTo(1);
    expect(luminance("000000")).toBe(0);
    expect(luminance("rgb(0,0,0)")).toBeNull();
  });

  it("treats Outlook's dark backgrounds as dark and its white and colorful ones as light", () => {
    expect(themeKindFrom("#262626", false)).toBe("dark");
    expect(themeKindFrom("#000000", false)).toBe("dark");
    expect(themeKindFrom("#ffffff", false)).toBe("light");
    expect(themeKindFrom("#e6e6e6", false)).toBe("light");
    expect(themeKindFrom(undefined, false)).toBe("light");
  });

  it("chooses high contrast whenever the OS forces colours, whatever Office's background", () => {
    expect(themeKindFrom("#ffffff", true)).toBe("highContrast");
    expect(themeKindFrom("#000000", true)).toBe("highContrast");
  });

  it("asks the forced-colors media query", () => {
    const view = {
      matchMedia: (query: string) => ({ matches: query === "(forced-colors: active)" }) as MediaQueryList,
    };
    expect(forcedColorsActive(view)).toBe(true);
    expect(forcedColorsActive(undefined)).toBe(false);
  });
});
