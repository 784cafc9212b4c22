// Draws the add-in icon (a window with a sidebar on a brand-blue tile) as PNGs at every size the manifest names, and
// the unified manifest's two: color.png (192×192, the tile) and outline.png (32×32, the white glyph on transparency).
// Run with `npx tsx scripts/generate-icons.ts`; the output in assets/ is committed so builds need no drawing step.
import { deflateSync, crc32 } from "node:zlib";
import { writeFileSync, mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** Sizes Outlook asks for: 16/32/80 for the ribbon button, 64 for IconUrl, 128 for HighResolutionIconUrl. */
export const ICON_SIZES = [16, 32, 64, 80, 128] as const;

type Rgb = readonly [number, number, number];
const BRAND: Rgb = [15, 108, 189];
const WHITE: Rgb = [255, 255, 255];

function insideRoundedRect(x: number, y: number, left: number, top: number, right: number, bottom: number, r: number) {
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + r), right - r);
  const cy = Math.min(Math.max(y, top + r), bottom - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** Colour of a point in unit coordinates (0..1), or null for transparent. */
function shade(x: number, y: number): Rgb | null {
  if (!insideRoundedRect(x, y, 0, 0, 1, 1, 0.18)) return null;
  const inWindow = insideRoundedRect(x, y, 0.18, 0.24, 0.82, 0.76, 0.05);
  const inPane = insideRoundedRect(x, y, 0.25, 0.31, 0.55, 0.69, 0.02);
  const inSidebar = x >= 0.6 && x <= 0.75 && y >= 0.31 && y <= 0.69;
  if (inWindow && !inPane && !inSidebar) return WHITE;
  if (inSidebar) return WHITE;
  return BRAND;
}

/** The outline icon: only the white window and sidebar, everything else transparent. */
function outlineShade(x: number, y: number): Rgb | null {
  const colour = shade(x, y);
  return colour === WHITE ? WHITE : null;
}

/** RGBA pixels of the icon at `size`, anti-aliased by 4x4 supersampling. */
export function drawIcon(size: number, paint: (x: number, y: number) => Rgb | null = shade): Buffer {
  const pixels = Buffer.alloc(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let covered = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const colour = paint((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size);
          if (!colour) continue;
          r += colour[0];
          g += colour[1];
          b += colour[2];
          covered++;
        }
      }
      const offset = (py * size + px) * 4;
      if (covered > 0) {
        pixels[offset] = Math.round(r / covered);
        pixels[offset + 1] = Math.round(g / covered);
        pixels[offset + 2] = Math.round(b / covered);
      }
      pixels[offset + 3] = Math.round((covered / (samples * samples)) * 255);
    }
  }
  return pixels;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** Encodes RGBA pixels as a PNG (8-bit truecolour with alpha, no filtering). */
export function encodePng(size: number, rgba: Buffer): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // colour type RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(rows, { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const assets = fileURLToPath(new URL("../assets/", import.meta.url));
  mkdirSync(assets, { recursive: true });
  for (const size of ICON_SIZES) {
    writeFileSync(`${assets}icon-${size}.png`, encodePng(size, drawIcon(size)));
    console.log(`assets/icon-${size}.png`);
  }
  writeFileSync(`${assets}color.png`, encodePng(192, drawIcon(192)));
  writeFileSync(`${assets}outline.png`, encodePng(32, drawIcon(32, outlineShade)));
  console.log("assets/color.png\nassets/outline.png");
}
