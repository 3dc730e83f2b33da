import { EngineError, ErrorCode } from '../src';

/** Runs the CLI in-process and captures what it writes. */
export async function runCli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  // loaded here, so that the tests using only the error helper do not load the whole CLI
  const { main } = await import('../src/cli/main');
  let out = '';
  let err = '';
  const so = jest.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((out += String(s)), true));
  const se = jest.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((err += String(s)), true));
  try {
    return { code: await main(argv), out, err };
  } finally {
    so.mockRestore();
    se.mockRestore();
  }
}

/**
 * Runs fn and expects it to throw an error of `type` with `code` whose message names `name`;
 * returns the message for further checks.
 */
export function expectCodedError(fn: () => unknown, type: abstract new (...args: never[]) => EngineError, code: ErrorCode, name: string): string {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(type);
  const err = caught as EngineError;
  expect(err.code).toBe(code);
  expect(err.message).toContain(name);
  return err.message;
}
