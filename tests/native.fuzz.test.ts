// 6000 malformed calls into the addon in a child process: every one must be rejected with a
// TypeError or RangeError naming the argument, C left untouched, and the child must exit 0.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { loadNative } from '../src';

const load = loadNative();

(load.addon ? describe : describe.skip)('native argument fuzz', () => {
  it('rejects 6000 bad calls, each with a named TypeError or RangeError', () => {
    const script = path.join(__dirname, '..', 'scripts', 'native-fuzz.js');
    const child = spawnSync(process.execPath, [script, '6000', load.path!], { encoding: 'utf8' });
    expect(child.signal).toBeNull();
    const report = JSON.parse(child.stdout) as { calls: number; rejected: number; failures: string[] };
    expect(report.failures).toEqual([]);
    expect(report.rejected).toBe(6000);
    expect(child.status).toBe(0);
  });
});
if (!load.addon) process.stderr.write(`native argument fuzz skipped: the addon did not load (${load.tried.map((t) => t.path).join(', ')})\n`);
