import { commands } from '../src/cli/commands';
import { trainSpecs } from '../src/cli/trainers';
import { runCli } from './helpers';

/** A usage failure: exit 2, exactly one line on stderr, no stack trace. */
function expectUsageError(r: { code: number; err: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('wiregrad command line: conventions', () => {
  const helps = [...commands.map((c) => c.name), ...trainSpecs.map((s) => `train ${s.name}`)];
  it.each(helps)('%s --help exits 0 and lists every flag with its default', async (command) => {
    const words = command.split(' ');
    const r = await runCli(...words, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: wiregrad ${words.join(' ')}`));
    expect(r.out).toMatch(/^ {2}--help/m);
    for (const line of r.out.split('\n').filter((l) => /^ {2}--[a-z-]+ \S/.test(l))) expect(line).toMatch(/\(default: [^)]+\)$/);
  });

  it('train MODEL --help lists the model flags and the common ones', async () => {
    const r = await runCli('train', 'lstm-sine', '--help');
    for (const flag of ['--steps N', '--hidden N', '--lr RATE', '--batch N', '--seed N', '--dtype float32|float64', '--threads N', '--out DIR']) {
      expect(r.out).toContain(flag);
    }
    expect(r.out).toMatch(/--out DIR .*\(default: runs\/lstm-sine\)/);
  });

  it('a bad dtype exits 2 and lists the choices', async () => {
    expectUsageError(await runCli('train', 'lstm-sine', '--dtype', 'float16'), /--dtype must be one of float32, float64, got 'float16'/);
  });

  it('a value out of range exits 2', async () => {
    expectUsageError(await runCli('train', 'lstm-sine', '--lr=-1'), /--lr must be a number/);
    expectUsageError(await runCli('train', 'lstm-sine', '--lr', '0'), /--lr must be a number/);
    expectUsageError(await runCli('generate', 'lstm-sine', '--steps', '0'), /--steps must be an integer in \[1, /);
  });

  it('an unknown flag exits 2 with one line', async () => {
    expectUsageError(await runCli('demo', '--stepz', '3'), /Unknown option '--stepz'/);
  });

  it('a bad integer exits 2 and names the flag and the value', async () => {
    expectUsageError(await runCli('demo', '--steps', '1.5'), /--steps must be an integer .*'1\.5'/);
  });

  it('an unknown model exits 2 and lists the known ones', async () => {
    expectUsageError(await runCli('graph', 'no-such-model'), /unknown model 'no-such-model' \(models: .*mlp-demo/);
    expectUsageError(await runCli('train', 'no-such-model'), /unknown model 'no-such-model' \(models: lstm-sine/);
    expectUsageError(await runCli('generate', 'mlp-addition'), /unknown model 'mlp-addition' \(models: lstm-sine\)/);
  });

  it('a missing checkpoint is a one-line failure with exit 1', async () => {
    const r = await runCli('generate', 'lstm-sine', '--from', '/nonexistent/model.safetensors');
    expect(r.code).toBe(1);
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    expect(r.err).toMatch(/\/nonexistent\/model.safetensors: cannot read \(ENOENT\)/);
  });

  it('a missing model argument exits 2', async () => {
    expectUsageError(await runCli('graph'), /missing <MODEL>/);
  });
});
