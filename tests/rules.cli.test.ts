import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError } from '../src';
import { experiment } from '../src/cli/experiment';

describe('wiregrad experiment', () => {
  let out: string;
  beforeEach(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-experiment-'));
    jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('writes results.json and results.md for a run', async () => {
    const code = await experiment.run(['hebbian', '--quick', '--replications', '2', '--seed', '5', '--out', out]);
    expect(code).toBe(0);
    const json = JSON.parse(fs.readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(json).toMatchObject({ experiment: 'hebbian', seed: 5, replications: 2 });
    expect(fs.readFileSync(path.join(out, 'results.md'), 'utf8')).toMatch(/\| AND \| supervised \|/);
    expect(fs.existsSync(path.join(out, 'alignment.jsonl'))).toBe(true);
  });

  it('refuses an unknown experiment and a bad flag value with a usage error', async () => {
    await expect(experiment.run(['nope'])).rejects.toThrow(/unknown experiment 'nope' \(experiments: hebbian, heat-exchanger, dni-addition, dni-fmnist, meta-rule\)/);
    const bad = experiment.run(['hebbian', '--replications', '0']);
    await expect(bad).rejects.toBeInstanceOf(EngineError);
    await expect(experiment.run(['hebbian', '--replications', '0'])).rejects.toThrow(/--replications must be an integer/);
    await expect(experiment.run(['dni-fmnist', '--replications', '3'])).rejects.toThrow(/dni-fmnist runs once per seed/);
  });
});
