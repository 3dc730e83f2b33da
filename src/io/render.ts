import { existsSync } from 'fs';
import { dirname, join } from 'path';
import type { ResvgRenderOptions } from '@resvg/resvg-js';
import type { Viz } from '@viz-js/viz';
import { UsageError } from '../errors';
import { DotOptions, toDot } from '../graph/dot';
import type { Node } from '../graph/node';
import { writeFileAtomic } from './atomic';
import { ensureDir } from './folder';

// Both renderers are loaded on first use: importing wiregrad must not pay for (or fail on) a
// WebAssembly Graphviz or a native rasteriser that a program never calls.
let viz: Promise<Viz> | null = null;

/** SVG text of a DOT graph, laid out by Graphviz (WebAssembly; no system binary needed). */
export async function renderSvg(dot: string): Promise<string> {
  viz ??= (require('@viz-js/viz') as typeof import('@viz-js/viz')).instance();
  const result = (await viz).render(dot, { format: 'svg' });
  if (result.status !== 'success') {
    throw new UsageError(`renderSvg: Graphviz refused the DOT: ${result.errors.map((e) => e.message.trim()).join('; ')}`);
  }
  return result.output;
}

export interface SvgToPngOptions {
  /** Pixels per SVG point (default 2, sharp on high-density screens). */
  scale?: number;
  /** Any CSS colour; default white, so the image is never transparent. */
  background?: string;
}

/** A PNG of an SVG document, drawn with the DejaVu fonts of the system. */
export function svgToPng(svg: string, options: SvgToPngOptions = {}): Buffer {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) throw new UsageError(`svgToPng: scale must be in (0, 16], got ${scale}`);
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js');
  const resvgOptions: ResvgRenderOptions = {
    background: options.background ?? '#ffffff',
    fitTo: { mode: 'zoom', value: scale },
    font: pngFonts(),
    logLevel: 'off',
  };
  try {
    return new Resvg(svg, resvgOptions).render().asPng();
  } catch (e) {
    throw new UsageError(`svgToPng: the SVG could not be drawn: ${(e as Error).message}`);
  }
}

/**
 * Graphviz lays text out with Helvetica's widths and places each line of an HTML label from
 * its left end, so a wider font runs over the box. DejaVu Sans Condensed is close to
 * Helvetica's widths; loaded alone, it answers for every family the SVG names.
 */
const CONDENSED = ['DejaVuSansCondensed.ttf', 'DejaVuSansCondensed-Bold.ttf'].map((f) => join('/usr/share/fonts/truetype/dejavu', f));

function pngFonts(): NonNullable<ResvgRenderOptions['font']> {
  if (CONDENSED.every((f) => existsSync(f))) return { loadSystemFonts: false, fontFiles: CONDENSED, defaultFontFamily: 'DejaVu Sans' };
  return { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
}

export interface WriteGraphOptions extends DotOptions {
  /** Also write the SVG beside the DOT file. */
  svg?: boolean;
  /** Also write a PNG beside the DOT file. */
  png?: boolean;
}

/**
 * Writes the DOT of everything `root` depends on to `path` (…/name.dot), and on request
 * name.svg and name.png beside it. Returns the paths written.
 */
export async function writeGraph(root: Node | readonly Node[], path: string, options: WriteGraphOptions = {}): Promise<string[]> {
  if (!path.endsWith('.dot')) throw new UsageError(`writeGraph: the path must end in .dot, got '${path}'`);
  const base = path.slice(0, -'.dot'.length);
  const dot = toDot(root, options);
  const files: [string, string | Buffer][] = [[path, dot]];
  if (options.svg || options.png) {
    const svg = await renderSvg(dot);
    if (options.svg) files.push([`${base}.svg`, svg]);
    if (options.png) files.push([`${base}.png`, svgToPng(svg)]);
  }
  ensureDir(dirname(path));
  for (const [file, content] of files) writeFileAtomic(file, typeof content === 'string' ? Buffer.from(content) : content);
  return files.map(([file]) => file);
}
