// How the backend is chosen: the environment, the fallback with its one warning, strict mode,
// and that importing never loads the addon. Each case gets fresh modules and its own environment.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

type Auto = typeof import('../src/backend/auto');
type Select = typeof import('../src/backend/select');
type Native = typeof import('../src/backend/native');

const built = path.join(__dirname, '..', 'build', 'Release', 'wiregrad_native.node');
const saved = { ...process.env };

function fresh(env: Record<string, string | undefined>): { auto: Auto; select: Select; native: Native } {
  process.env = { ...saved, WIREGRAD_BACKEND: undefined, WIREGRAD_STRICT_NATIVE: undefined, WIREGRAD_THREADS: undefined, WIREGRAD_NATIVE_ADDON: undefined, ...env };
  for (const k of Object.keys(process.env)) if (process.env[k] === undefined) delete process.env[k];
  let mods!: { auto: Auto; select: Select; native: Native };
  jest.isolateModules(() => {
    mods = { auto: require('../src/backend/auto'), select: require('../src/backend/select'), native: require('../src/backend/native') };
  });
  return mods;
}

afterEach(() => {
  process.env = { ...saved };
  jest.restoreAllMocks();
});

describe('backend selection', () => {
  it('importing chooses nothing and loads no addon', () => {
    const { select, native } = fresh({});
    expect(select.activeBackend().name).toBe('auto (not chosen yet)');
    expect(native.loadedAddon()).toBeNull();
  });

  it('WIREGRAD_BACKEND=ts keeps every product in TypeScript and never loads the addon', () => {
    const { auto, select, native } = fresh({ WIREGRAD_BACKEND: 'ts' });
    expect(auto.resolveBackend().backend.name).toBe('ts');
    expect(select.backendFor(100, 100, 100).name).toBe('ts');
    expect(native.loadedAddon()).toBeNull();
  });

  it('a missing addon falls back to TS with one warning that lists every path tried', () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const { auto, select } = fresh({ WIREGRAD_NATIVE_ADDON: '/nonexistent/wiregrad_native.node' });
    const r = auto.resolveBackend();
    expect(r.backend.name).toBe('ts');
    expect(r.load?.tried.map((t) => t.path)).toEqual(['/nonexistent/wiregrad_native.node']);
    expect(select.backendFor(100, 100, 100).name).toBe('ts');
    auto.resolveBackend();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0][0])).toContain('/nonexistent/wiregrad_native.node: no such file');
  });

  it('without an explicit path it tries build/Release then build/Debug', () => {
    const { native } = fresh({});
    expect(native.addonCandidates().map((p) => path.relative(path.join(__dirname, '..'), p))).toEqual([
      path.join('build', 'Release', 'wiregrad_native.node'),
      path.join('build', 'Debug', 'wiregrad_native.node'),
    ]);
  });

  it('a corrupt .node file and a module that is not the addon are reported with why they failed', () => {
    jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    const corrupt = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'wiregrad-')), 'wiregrad_native.node');
    fs.writeFileSync(corrupt, 'not an ELF file');
    const a = fresh({ WIREGRAD_NATIVE_ADDON: corrupt }).auto.resolveBackend();
    expect(a.backend.name).toBe('ts');
    expect(a.load?.tried[0].error).toMatch(/invalid ELF header|too short/);
    const b = fresh({ WIREGRAD_NATIVE_ADDON: path.join(__dirname, '..', 'package.json') }).auto.resolveBackend();
    expect(b.backend.name).toBe('ts');
    expect(b.load?.tried[0].error).toContain('not the wiregrad addon (no sgemm, dgemm, setThreads, info)');
  });

  it.each([
    ['WIREGRAD_STRICT_NATIVE=1', { WIREGRAD_STRICT_NATIVE: '1' }],
    ['WIREGRAD_BACKEND=native', { WIREGRAD_BACKEND: 'native' }],
  ])('%s turns a missing addon into a BackendError on the first product', (_label, env) => {
    const { auto, select } = fresh({ ...env, WIREGRAD_NATIVE_ADDON: '/nonexistent/wiregrad_native.node' });
    expect(() => auto.resolveBackend()).toThrow(expect.objectContaining({ code: 'E_BACKEND', message: expect.stringContaining('/nonexistent/wiregrad_native.node') }));
    const a = new Float64Array(1);
    expect(() => select.activeBackend().gemm(false, false, 1, 1, 1, 1, a, 0, 1, a, 0, 1, 0, new Float64Array(1), 0, 1)).toThrow(
      expect.objectContaining({ code: 'E_BACKEND' }),
    );
  });

  it.each([
    ['WIREGRAD_BACKEND', 'gpu'],
    ['WIREGRAD_THREADS', 'many'],
    ['WIREGRAD_THREADS', '0'],
  ])('%s=%s is a UsageError naming the variable', (name, value) => {
    const { auto } = fresh({ [name]: value });
    expect(() => auto.resolveBackend()).toThrow(expect.objectContaining({ code: 'E_USAGE', message: expect.stringContaining(name) }));
  });

  it('setThreads rejects what is not a thread count', () => {
    const { native } = fresh({});
    for (const bad of [0, -1, 1.5, NaN, 2000]) expect(() => native.setThreads(bad)).toThrow(expect.objectContaining({ code: 'E_USAGE' }));
  });
});

const addonBuilt = fresh({}).native.loadNative().addon !== null;

(addonBuilt ? describe : describe.skip)('backend selection with the addon built', () => {
  it('auto: native above the threshold, TS below it, the first product resolving the choice', () => {
    const { auto, select } = fresh({ WIREGRAD_NATIVE_ADDON: built });
    const n = 32; // 32³ multiply-adds, above the threshold
    expect(n ** 3).toBeGreaterThanOrEqual(auto.NATIVE_THRESHOLD);
    const a = new Float64Array(n * n).fill(1), c = new Float64Array(n * n);
    select.activeBackend().gemm(false, false, n, n, n, 1, a, 0, n, a, 0, n, 0, c, 0, n);
    expect(c[0]).toBe(n);
    expect(select.backendFor(n, n, n).name).toBe('native');
    expect(select.backendFor(1, 1, 1).name).toBe('ts');
  });

  it('WIREGRAD_BACKEND=native sends every product to the addon', () => {
    const { auto, select } = fresh({ WIREGRAD_BACKEND: 'native', WIREGRAD_NATIVE_ADDON: built });
    expect(auto.resolveBackend().threshold).toBe(0);
    expect(select.backendFor(1, 1, 1).name).toBe('native');
  });

  it('WIREGRAD_THREADS sizes OpenBLAS and the OpenMP loops', () => {
    const { auto, native } = fresh({ WIREGRAD_THREADS: '1', WIREGRAD_NATIVE_ADDON: built });
    auto.resolveBackend();
    const info = native.loadedAddon()!.info();
    expect(info.ompThreads).toBe(1);
    if (info.blasThreads !== undefined) expect(info.blasThreads).toBe(1);
    native.setThreads(2);
    expect(native.loadedAddon()!.info().ompThreads).toBe(2);
    native.setThreads(1);
  });
});

(addonBuilt ? describe : describe.skip)('threads when the addon is loaded directly', () => {
  it('loadNative applies WIREGRAD_THREADS too, so tests that bypass the selection still run on 1 thread', () => {
    const { native } = fresh({ WIREGRAD_THREADS: '1', WIREGRAD_NATIVE_ADDON: built });
    expect(native.loadNative().addon!.info().ompThreads).toBe(1);
    expect(native.threadsSetting()).toBe(1);
  });
});
