/**
 * Renders bench/scale figures as a PNG with no dependency: an RGB raster, a 5x7 bitmap font,
 * log-log panels, and a minimal PNG encoder (signature, IHDR, one zlib IDAT, IEND, CRC-32).
 *
 *   npx node bench/scale/plot.ts [figures.json] [plot.png]   (re-render from saved figures)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import type { ScaleFigures } from './run.ts';

type Rgb = readonly [number, number, number];

class Raster {
  readonly w: number;
  readonly h: number;
  readonly px: Uint8Array;
  constructor(w: number, h: number) {
    this.w = w;
    this.h = h;
    this.px = new Uint8Array(w * h * 3).fill(255);
  }
  set(x: number, y: number, c: Rgb): void {
    x = Math.round(x); y = Math.round(y);
    if (x < 0 || y < 0 || x >= this.w || y >= this.h) return;
    const i = (y * this.w + x) * 3;
    this.px[i] = c[0]; this.px[i + 1] = c[1]; this.px[i + 2] = c[2];
  }
  line(x0: number, y0: number, x1: number, y1: number, c: Rgb, thick = 1): void {
    const n = Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0), 1);
    for (let i = 0; i <= n; i++) {
      const x = x0 + ((x1 - x0) * i) / n;
      const y = y0 + ((y1 - y0) * i) / n;
      for (let dx = 0; dx < thick; dx++) for (let dy = 0; dy < thick; dy++) this.set(x + dx, y + dy, c);
    }
  }
  box(x: number, y: number, w: number, h: number, c: Rgb): void {
    for (let i = 0; i < w; i++) for (let j = 0; j < h; j++) this.set(x + i, y + j, c);
  }
  text(x: number, y: number, s: string, c: Rgb, scale = 1): void {
    for (const ch of s) {
      const g = FONT[ch] ?? FONT['?']!;
      g.forEach((row, j) => { for (let i = 0; i < 5; i++) if (row[i] === '#') this.box(x + i * scale, y + j * scale, scale, scale, c); });
      x += 6 * scale;
    }
  }
}

// 5x7 glyphs, only the characters the plot uses.
const G = (...rows: string[]): string[] => rows;
const FONT: Record<string, string[]> = {
  '0': G(' ### ', '#   #', '#  ##', '# # #', '##  #', '#   #', ' ### '), '1': G('  #  ', ' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '),
  '2': G(' ### ', '#   #', '    #', '   # ', '  #  ', ' #   ', '#####'), '3': G('#####', '   # ', '  #  ', '   # ', '    #', '#   #', ' ### '),
  '4': G('   # ', '  ## ', ' # # ', '#  # ', '#####', '   # ', '   # '), '5': G('#####', '#    ', '#### ', '    #', '    #', '#   #', ' ### '),
  '6': G('  ## ', ' #   ', '#    ', '#### ', '#   #', '#   #', ' ### '), '7': G('#####', '    #', '   # ', '  #  ', ' #   ', ' #   ', ' #   '),
  '8': G(' ### ', '#   #', '#   #', ' ### ', '#   #', '#   #', ' ### '), '9': G(' ### ', '#   #', '#   #', ' ####', '    #', '   # ', ' ##  '),
  '.': G('     ', '     ', '     ', '     ', '     ', ' ##  ', ' ##  '), ' ': G('     ', '     ', '     ', '     ', '     ', '     ', '     '),
  '(': G('   # ', '  #  ', ' #   ', ' #   ', ' #   ', '  #  ', '   # '), ')': G(' #   ', '  #  ', '   # ', '   # ', '   # ', '  #  ', ' #   '),
  '+': G('     ', '  #  ', '  #  ', '#####', '  #  ', '  #  ', '     '), '-': G('     ', '     ', '     ', '#####', '     ', '     ', '     '),
  '/': G('    #', '    #', '   # ', '  #  ', ' #   ', '#    ', '#    '), ':': G('     ', ' ##  ', ' ##  ', '     ', ' ##  ', ' ##  ', '     '),
  'a': G('     ', '     ', ' ### ', '    #', ' ####', '#   #', ' ####'), 'b': G('#    ', '#    ', '# ## ', '##  #', '#   #', '#   #', '#### '),
  'c': G('     ', '     ', ' ### ', '#    ', '#    ', '#   #', ' ### '), 'd': G('    #', '    #', ' ## #', '#  ##', '#   #', '#   #', ' ####'),
  'e': G('     ', '     ', ' ### ', '#   #', '#####', '#    ', ' ### '), 'f': G('  ## ', ' #  #', ' #   ', '###  ', ' #   ', ' #   ', ' #   '),
  'g': G('     ', ' ####', '#   #', '#   #', ' ####', '    #', ' ### '), 'h': G('#    ', '#    ', '# ## ', '##  #', '#   #', '#   #', '#   #'),
  'i': G('  #  ', '     ', ' ##  ', '  #  ', '  #  ', '  #  ', ' ### '), 'k': G('#    ', '#    ', '#  # ', '# #  ', '##   ', '# #  ', '#  # '),
  'j': G('   # ', '     ', '  ## ', '   # ', '   # ', '#  # ', ' ##  '),
  'l': G(' ##  ', '  #  ', '  #  ', '  #  ', '  #  ', '  #  ', ' ### '), 'm': G('     ', '     ', '## # ', '# # #', '# # #', '#   #', '#   #'),
  'n': G('     ', '     ', '# ## ', '##  #', '#   #', '#   #', '#   #'), 'o': G('     ', '     ', ' ### ', '#   #', '#   #', '#   #', ' ### '),
  'p': G('     ', '     ', '#### ', '#   #', '#### ', '#    ', '#    '), 'r': G('     ', '     ', '# ## ', '##  #', '#    ', '#    ', '#    '),
  's': G('     ', '     ', ' ### ', '#    ', ' ### ', '    #', '#### '), 't': G(' #   ', ' #   ', '###  ', ' #   ', ' #   ', ' #  #', '  ## '),
  'u': G('     ', '     ', '#   #', '#   #', '#   #', '#  ##', ' ## #'), 'w': G('     ', '     ', '#   #', '#   #', '# # #', '# # #', ' # # '),
  'x': G('     ', '     ', '#   #', ' # # ', '  #  ', ' # # ', '#   #'), 'y': G('     ', '     ', '#   #', '#   #', ' ####', '    #', ' ### '),
  'N': G('#   #', '##  #', '# # #', '#  ##', '#   #', '#   #', '#   #'), 'A': G(' ### ', '#   #', '#   #', '#####', '#   #', '#   #', '#   #'),
  'M': G('#   #', '## ##', '# # #', '# # #', '#   #', '#   #', '#   #'), 'S': G(' ####', '#    ', '#    ', ' ### ', '    #', '    #', '#### '),
  '?': G(' ### ', '#   #', '    #', '   # ', '  #  ', '     ', '  #  '),
};

// --- PNG encoding -------------------------------------------------------------------------
const CRC = Array.from({ length: 256 }, (_, n) => { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; return c >>> 0; });
function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Uint8Array): Buffer {
  const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
export function encodePng(r: Raster): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(r.w, 0); ihdr.writeUInt32BE(r.h, 4);
  ihdr[8] = 8; ihdr[9] = 2; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0; // 8-bit RGB, no interlace
  const raw = Buffer.alloc((r.w * 3 + 1) * r.h);
  for (let y = 0; y < r.h; y++) { raw[y * (r.w * 3 + 1)] = 0; Buffer.from(r.px.buffer, r.px.byteOffset + y * r.w * 3, r.w * 3).copy(raw, y * (r.w * 3 + 1) + 1); }
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))]);
}

// --- the plot -----------------------------------------------------------------------------
const INK: Rgb = [30, 30, 30];
const GRID: Rgb = [225, 225, 225];
const COLORS: Rgb[] = [[31, 119, 180], [214, 39, 40], [44, 160, 44]];

function fmt(v: number): string {
  if (v >= 1000) return `${Math.round(v / 100) / 10}`.replace(/\.0$/, '') + 'k';
  if (v >= 10) return String(Math.round(v));
  if (v >= 1) return String(Math.round(v * 10) / 10);
  return String(Math.round(v * 100) / 100);
}

function panel(r: Raster, x0: number, y0: number, w: number, h: number, title: string, xs: number[], series: Array<{ label: string; ys: number[] }>): void {
  r.text(x0, y0, title, INK, 2);
  const px = x0 + 40, py = y0 + 30, pw = w - 55, ph = h - 70;
  const all = series.flatMap((s) => s.ys).filter((v) => v > 0);
  const lo = Math.pow(10, Math.floor(Math.log10(Math.min(...all, 1))));
  const hi = Math.pow(10, Math.ceil(Math.log10(Math.max(...all, 1) * 1.01)));
  const xlo = Math.min(...xs), xhi = Math.max(...xs);
  const X = (v: number): number => px + (xhi === xlo ? pw / 2 : ((Math.log10(v) - Math.log10(xlo)) / (Math.log10(xhi) - Math.log10(xlo))) * pw);
  const Y = (v: number): number => py + ph - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * ph;
  for (let d = lo; d <= hi; d *= 10) { r.line(px, Y(d), px + pw, Y(d), GRID); r.text(x0, Y(d) - 3, fmt(d), INK); }
  for (const x of xs) { r.line(X(x), py, X(x), py + ph, GRID); r.text(X(x) - 6, py + ph + 6, fmt(x), INK); }
  r.line(px, py, px, py + ph, INK); r.line(px, py + ph, px + pw, py + ph, INK);
  r.text(px + pw / 2 - 15, py + ph + 20, 'units', INK);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    s.ys.forEach((y, j) => {
      if (j > 0) r.line(X(xs[j - 1]!), Y(s.ys[j - 1]!), X(xs[j]!), Y(y), c, 2);
      r.box(X(xs[j]!) - 3, Y(y) - 3, 7, 7, c);
    });
    r.box(px + 8, py + 6 + i * 12, 8, 8, c);
    r.text(px + 20, py + 7 + i * 12, s.label, INK);
  });
}

export function renderPlot(figures: readonly ScaleFigures[]): Buffer {
  const r = new Raster(1200, 420);
  const xs = figures.map((f) => f.units);
  const hookCalls = (f: ScaleFigures, k: string): number => f.amsCallsPerHook[k]?.median ?? 0;
  panel(r, 10, 10, 390, 400, 'settle time s', xs, [{ label: 'wall s to settle', ys: figures.map((f) => f.settleSeconds) }, { label: 'hooks run / 100', ys: figures.map((f) => f.hooks / 100) }]);
  panel(r, 410, 10, 390, 400, 'AMS calls/hook', xs, [
    { label: 'rest-api joined (median)', ys: figures.map((f) => hookCalls(f, 'rest-api-relation-joined')) },
    { label: 'rest-api changed (median)', ys: figures.map((f) => hookCalls(f, 'rest-api-relation-changed')) },
    { label: 'max relation-get in a hook', ys: figures.map((f) => f.amsRelationGetMax) },
  ]);
  panel(r, 810, 10, 390, 400, 'trust update +1', xs, [{ label: 'AMS ms', ys: figures.map((f) => f.trustUpdate.ms) }, { label: 'AMS tool calls', ys: figures.map((f) => f.trustUpdate.calls) }]);
  return encodePng(r);
}

if (import.meta.main) {
  const [json = 'bench/scale/out/figures.json', png = 'bench/scale/out/plot.png'] = process.argv.slice(2);
  writeFileSync(png, renderPlot(JSON.parse(readFileSync(json, 'utf8')) as ScaleFigures[]));
  console.log(`wrote ${png}`);
}
