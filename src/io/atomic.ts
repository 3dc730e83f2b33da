import * as fs from 'fs';
import * as path from 'path';
import { IoError } from '../errors';

let tempCounter = 0;

/**
 * Writes `data` to `target` so that readers see either the old file or the complete new one,
 * never a partial write: a temp file in the same folder (a rename is only atomic within one
 * file system), fsync, rename over the target, fsync of the folder so the rename survives a
 * crash. On any failure the temp file is removed and an existing target is left untouched.
 */
export function writeFileAtomic(target: string, data: Uint8Array): void {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}.${process.pid}.${tempCounter++}.tmp`);
  let fd: number | null = null;
  let created = false;
  try {
    // 'wx' refuses to reuse an existing path, so a stale temp file is never clobbered silently.
    fd = fs.openSync(temp, 'wx', 0o644);
    created = true;
    for (let done = 0; done < data.length; ) done += fs.writeSync(fd, data, done, data.length - done);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = null;
    fs.renameSync(temp, target);
  } catch (e) {
    if (fd !== null) fs.closeSync(fd);
    if (created) fs.rmSync(temp, { force: true });
    const err = e as NodeJS.ErrnoException;
    throw new IoError(`${target}: cannot write (${err.code ?? err.message})`);
  }
  syncFolder(dir);
}

function syncFolder(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some file systems refuse fsync on a folder; the data itself is already synced and renamed.
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
