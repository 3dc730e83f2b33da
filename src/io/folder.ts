import * as fs from 'node:fs';
import * as path from 'node:path';
import { IoError } from '../errors';

/**
 * Makes the output folder and its missing parents, one level at a time; the error names the
 * folder. Not `mkdirSync(dir, { recursive: true })`: under /proc, Node 20's recursive mkdir
 * retries ENOENT forever instead of failing.
 */
export function ensureDir(dir: string): string {
  const missing: string[] = [];
  for (let d = path.resolve(dir); !fs.existsSync(d); d = path.dirname(d)) missing.unshift(d);
  try {
    for (const d of missing) fs.mkdirSync(d);
  } catch (e) {
    throw new IoError(`${dir}: cannot create the output folder (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if (!fs.statSync(dir).isDirectory()) throw new IoError(`${dir}: the output folder is a file`);
  return dir;
}
