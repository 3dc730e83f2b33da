import * as path from 'node:path';
import { writeFileAtomic } from '../io/atomic';
import { linePlot, PlotOptions, Series } from '../io/plot';
import { encodeGrayPng, GrayImage } from '../io/png';
import { svgToPng } from '../io/render';

/** Writes text or bytes atomically: an existing file is replaced whole or left as it was. */
export function saveFile(file: string, content: string | Uint8Array): string {
  writeFileAtomic(file, typeof content === 'string' ? Buffer.from(content, 'utf8') : content);
  return file;
}

/** Writes a chart as `<base>.svg` and `<base>.png`; both are drawn before either is written. */
export function savePlot(base: string, series: readonly Series[], options: PlotOptions): string[] {
  const svg = linePlot(series, options);
  const png = svgToPng(svg);
  return [saveFile(`${base}.svg`, svg), saveFile(`${base}.png`, png)];
}

export function savePng(file: string, image: GrayImage): string {
  return saveFile(file, encodeGrayPng(image));
}

/** A path as the user should read it: relative to the working folder when inside it. */
export function shown(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
