import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MetricsLog } from '../src/cli/metrics';
import { formatSeconds, Progress } from '../src/cli/progress';

describe('progress on a stream that is not a terminal', () => {
  it('writes a plain line at each tenth or every interval, and one at the end', () => {
    const lines: string[] = [];
    let t = 0;
    const progress = new Progress('train', 100, { stream: { write: (s: string) => lines.push(s) }, interval: 5, now: () => t });
    for (let step = 1; step <= 100; step++) {
      t += 0.01;
      progress.update(step, `loss ${(1 / step).toFixed(3)}`);
    }
    progress.finish('loss 0.010');
    expect(lines).toHaveLength(10); // 10%, 20%, …, 90%, then the final line
    expect(lines[0]).toBe('train: 10% (10/100) loss 0.100 | ETA 0.9s\n');
    expect(lines[9]).toBe('train: done 100 steps in 1.0s, loss 0.010\n');
  });

  it('adds a line when the interval passes within one tenth (ETA from the mean step time)', () => {
    const lines: string[] = [];
    let t = 0;
    const progress = new Progress('p', 1000, { stream: { write: (s: string) => lines.push(s) }, interval: 2, now: () => t });
    t = 3;
    progress.update(5);
    expect(lines).toEqual(['p: 0% (5/1000) | ETA 9m57s\n']);
  });

  it('says so when a run stops before its most steps', () => {
    const lines: string[] = [];
    const progress = new Progress('p', 1000, { stream: { write: (s: string) => lines.push(s) }, now: () => 0 });
    progress.update(250);
    progress.finish();
    expect(lines[lines.length - 1]).toBe('p: done 250 of 1000 steps in 0.0s\n');
  });

  it('formats durations', () => {
    expect([formatSeconds(0.25), formatSeconds(42.4), formatSeconds(125), formatSeconds(NaN)]).toEqual(['0.3s', '42s', '2m05s', '?']);
  });
});

describe('JSONL metrics log', () => {
  it('writes one JSON object per step with the elapsed seconds, and keeps them for plots', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-metrics-'));
    const file = path.join(dir, 'metrics.jsonl');
    const log = new MetricsLog(file);
    log.log({ step: 1, epoch: 0, loss: 0.5, lr: 0.01 });
    log.log({ step: 2, epoch: 0, loss: Infinity, lr: 0.01, kl: 3 });
    log.close();
    const rows = fs.readFileSync(file, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ step: 1, epoch: 0, loss: 0.5, lr: 0.01 });
    expect(typeof rows[0].elapsed).toBe('number');
    expect(rows[1]).toMatchObject({ step: 2, loss: null, kl: 3 });
    expect(log.records.map((r) => r.step)).toEqual([1, 2]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('names the file it cannot open', () => {
    expect(() => new MetricsLog('/nonexistent-folder/metrics.jsonl')).toThrow(/nonexistent-folder\/metrics.jsonl: cannot write the metrics log \(ENOENT\)/);
  });
});
