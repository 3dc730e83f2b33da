import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DType, EngineError, ErrorCode, FloatArray, NativeLoad, Rng } from '../src';
import { mutate } from './fixtures/mutate';

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

/** How a reader met a run of mutated files. */
export interface FuzzOutcome {
  parsed: number;
  refused: number;
  /** One line per case that went wrong: a throw other than the refusal, or a parse that `read` found broken. */
  unexpected: string[];
}

/**
 * Feeds `cases` mutations of the seed files (named `fuzz#<case>`) to `read`, which parses one
 * and returns what is wrong with the result ([] when nothing). A throw counts as refused when it
 * is `refusal`'s class and code with a message that starts with the file's name.
 */
export function fuzzReader(options: {
  seeds: readonly Uint8Array[];
  rng: Rng;
  cases: number;
  /** A last step of each mutation; it may draw from rng. */
  disguise?: (bytes: Uint8Array) => Uint8Array;
  read: (bytes: Uint8Array, name: string) => string[];
  refusal: readonly [abstract new (...args: never[]) => EngineError, ErrorCode];
}): FuzzOutcome {
  const [type, code] = options.refusal;
  const outcome: FuzzOutcome = { parsed: 0, refused: 0, unexpected: [] };
  for (let i = 0; i < options.cases; i++) {
    const name = `fuzz#${i}`;
    let bytes = mutate(options.rng, options.seeds);
    if (options.disguise) bytes = options.disguise(bytes);
    try {
      outcome.unexpected.push(...options.read(bytes, name).map((problem) => `case ${i}: ${problem}`));
      outcome.parsed++;
    } catch (e) {
      if (e instanceof type && e.code === code && e.message.startsWith(`${name}: `)) outcome.refused++;
      else outcome.unexpected.push(`case ${i}: ${String(e)}`);
    }
  }
  return outcome;
}

/** n uniform values in [lo, hi) as a typed array of the dtype (the native kernel tests' inputs). */
export function filled(rng: Rng, n: number, dtype: DType, lo: number, hi: number): FloatArray {
  const x = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) x[i] = rng.uniform(lo, hi);
  return x;
}

/** Every path the addon loader tried, one line each, for the message of a skipped native test. */
export function addonTried(load: NativeLoad): string {
  return load.tried.map((t) => `  ${t.path}: ${t.error}`).join('\n');
}

/** Runs fn and expects the addon's argument error: code E_NATIVE_ARG, a message matching `message`. */
export function expectNativeArgError(fn: () => unknown, message: RegExp): void {
  let e: { code?: string; message: string } | undefined;
  try {
    fn();
  } catch (thrown) {
    e = thrown as { code?: string; message: string };
  }
  expect(e?.code).toBe('E_NATIVE_ARG');
  expect(e?.message).toMatch(message);
}

/**
 * wiregrad loaded afresh in an isolated module registry against a stand-in for an addon built
 * before the elementwise and row kernels: the products of the real addon at `addonPath` only.
 * WIREGRAD_NATIVE_ADDON names the stand-in while it loads and is put back, and the stand-in's
 * file is removed, before this returns (the loaded module stays).
 */
export function loadWithProductsOnlyAddon(addonPath: string): { lib: typeof import('../src'); nativeModule: typeof import('../src/backend/native'); file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-old-addon-'));
  const file = path.join(dir, 'old-addon.js');
  fs.writeFileSync(file, `const a = require(${JSON.stringify(addonPath)});\nmodule.exports = { sgemm: a.sgemm, dgemm: a.dgemm, gemmScalars: a.gemmScalars, setThreads: a.setThreads, info: a.info };\n`);
  const saved = process.env.WIREGRAD_NATIVE_ADDON;
  process.env.WIREGRAD_NATIVE_ADDON = file;
  try {
    let lib!: typeof import('../src');
    let nativeModule!: typeof import('../src/backend/native');
    jest.isolateModules(() => {
      lib = require('../src');
      nativeModule = require('../src/backend/native');
    });
    nativeModule.loadNative(); // loaded now, while the variable names the stand-in
    return { lib, nativeModule, file };
  } finally {
    if (saved === undefined) delete process.env.WIREGRAD_NATIVE_ADDON;
    else process.env.WIREGRAD_NATIVE_ADDON = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
