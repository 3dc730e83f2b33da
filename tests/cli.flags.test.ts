import { main } from '../src/cli/main';
import { commands } from '../src/cli/commands';

/** Runs the CLI in-process and captures what it writes. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    const code = await main(argv);
    return { code, out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

/** A usage failure: exit 2, exactly one line on stderr, no stack trace. */
function expectUsageError(r: { code: number; err: string }, pattern: RegExp): void {
  expect(r.code).toBe(2);
  expect(r.err.trimEnd().split('\n')).toHaveLength(1);
  expect(r.err).toMatch(pattern);
  expect(r.err).not.toMatch(/\n\s+at /);
}

describe('wiregrad command line: conventions', () => {
  it.each(commands.map((c) => c.name))('%s --help exits 0 and lists every flag with its default', async (name) => {
    const r = await cli(name, '--help');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^usage: wiregrad ${name}`));
    expect(r.out).toContain('--help');
    const flags = [...r.out.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThan(1);
    for (const line of r.out.split('\n').filter((l) => /^ {2}--[a-z-]+ [A-Z]/.test(l))) expect(line).toMatch(/\(default: [^)]+\)$/);
  });

  it('an unknown flag exits 2 with one line', async () => {
    expectUsageError(await cli('demo', '--stepz', '3'), /Unknown option '--stepz'/);
  });

  it('a bad integer exits 2 and names the flag and the value', async () => {
    expectUsageError(await cli('demo', '--steps', '1.5'), /--steps must be an integer .*'1\.5'/);
  });

  it('an unknown model exits 2 and lists the known ones', async () => {
    expectUsageError(await cli('graph', 'no-such-model'), /unknown model 'no-such-model' \(models: .*mlp-demo/);
  });

  it('a missing model argument exits 2', async () => {
    expectUsageError(await cli('graph'), /missing <MODEL>/);
  });
});
