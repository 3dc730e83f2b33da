// Summarises V8 CPU profiles (node --cpu-prof) of the bench workloads: where the self time goes,
// by category (GEMM, elementwise ops, engine, optimizer, GC, start-up) and by function.
//
//   npx tsx scripts/bench-profile.ts <file.cpuprofile | folder> [--top N]
//
// Time inside the native addon shows as a frame without a script (V8 names it after one of the
// addon's functions, not always the one that ran); it is charged to the JS function that made the
// call: under `gemm` in src/backend/native.ts it is OpenBLAS, under an op or an optimizer it is
// that kernel.
import * as fs from 'node:fs';
import * as path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const STARTUP = 'start-up (module loading, compiling)';

const NATIVE_KERNELS = 'native kernels in the addon (elementwise, LSTM cell, updates, sums)';

const CATEGORIES: [string, (f: CallFrame, file: string) => boolean][] = [
  ['GEMM in the native addon (OpenBLAS)', (f, file) => file === 'src/backend/native.ts' && f.functionName === 'gemm'],
  // V8 inlines the small TS kernel into matmul (src/backend/select.ts), which then holds its time
  ['GEMM in TypeScript (products below the native threshold)', (_, file) => file === 'src/backend/ts.ts' || file === 'src/backend/select.ts'],
  ['elementwise ops and losses (src/ops, src/losses)', (_, file) => file.startsWith('src/ops/') || file.startsWith('src/losses/')],
  ['engine: gradient delivery (copy or sum into each node’s gradient)', (f, file) => file === 'src/graph/backward.ts' && f.functionName === 'deliverEdge'],
  ['engine: scheduling and bookkeeping (src/graph)', (_, file) => file.startsWith('src/graph/')],
  ['optimizer update (src/optim)', (_, file) => file.startsWith('src/optim/')],
  ['matrix allocation (src/tensor)', (_, file) => file.startsWith('src/tensor/')],
  ['data loading (before the timed steps)', (_, file) => file.startsWith('src/data/')],
  ['other wiregrad code', (_, file) => file.startsWith('src/')],
  ['bench driver (data, timing)', (_, file) => file.startsWith('bench/')],
  ['garbage collector', (f) => f.functionName === '(garbage collector)'],
  [STARTUP, (f, file) => file.startsWith('node:') || file.includes('node_modules/') || f.url === '' && f.functionName !== '(program)' && f.functionName !== '(idle)'],
  ['V8 and native code without a JS frame ((program))', (f) => f.functionName === '(program)'],
  ['idle', (f) => f.functionName === '(idle)'],
];

function fileOf(url: string): string {
  const noScheme = url.replace(/^file:\/\//, '');
  const root = path.resolve(__dirname, '..') + path.sep;
  return noScheme.startsWith(root) ? noScheme.slice(root.length) : noScheme;
}

export interface Summary {
  /** Self time of the run itself: start-up (module loading) and idle are left out of the shares. */
  totalMs: number;
  startupMs: number;
  categories: { name: string; ms: number; share: number }[];
  functions: { name: string; file: string; ms: number; share: number }[];
}

/** V8's own pseudo-frames: they have no script either, but are not calls into the addon. */
const PSEUDO = new Set(['(root)', '(program)', '(idle)', '(garbage collector)']);

export function summarise(profile: CpuProfile): Summary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parentOf = new Map<number, ProfileNode>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n);
  /** For a frame of the addon called from wiregrad or the bench: the JS frame that called it. */
  const nativeCaller = (id: number): ProfileNode | null => {
    const f = (byId.get(id) as ProfileNode).callFrame;
    if (f.url !== '' || PSEUDO.has(f.functionName)) return null;
    const parent = parentOf.get(id);
    const file = parent ? fileOf(parent.callFrame.url) : '';
    return parent && (file.startsWith('src/') || file.startsWith('bench/')) ? parent : null;
  };
  const self = new Map<number, number>();
  profile.samples.forEach((id, k) => self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[k]));
  const categories = new Map<string, number>();
  const functions = new Map<string, { name: string; file: string; us: number }>();
  let total = 0;
  let startup = 0;
  for (const [id, us] of self) {
    const caller = nativeCaller(id);
    const f = caller ? caller.callFrame : (byId.get(id) as ProfileNode).callFrame;
    const file = fileOf(f.url);
    const gemm = CATEGORIES[0][0];
    const category = caller
      ? CATEGORIES[0][1](f, file) ? gemm : NATIVE_KERNELS
      : CATEGORIES.find(([, test]) => test(f, file))?.[0] ?? 'other';
    if (category === 'idle') continue;
    if (category === STARTUP) {
      startup += us;
      continue;
    }
    total += us;
    categories.set(category, (categories.get(category) ?? 0) + us);
    const name = `${f.functionName || '(anonymous)'}${caller ? ' → addon' : ''}`;
    const key = `${name}@${file}`;
    const entry = functions.get(key) ?? { name, file, us: 0 };
    entry.us += us;
    functions.set(key, entry);
  }
  const share = (us: number): number => us / total;
  return {
    totalMs: total / 1000,
    startupMs: startup / 1000,
    categories: [...categories].sort((a, b) => b[1] - a[1]).map(([name, us]) => ({ name, ms: us / 1000, share: share(us) })),
    functions: [...functions.values()].sort((a, b) => b.us - a.us).map((f) => ({ name: f.name, file: f.file, ms: f.us / 1000, share: share(f.us) })),
  };
}

/** The profile of the thread that ran wiregrad (a loader thread writes a profile of its own). */
export function mainProfile(files: string[]): { file: string; profile: CpuProfile } {
  const loaded = files.map((file) => ({ file, profile: JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile }));
  const wiregradShare = (p: CpuProfile): number => p.nodes.filter((n) => fileOf(n.callFrame.url).startsWith('src/')).length;
  return loaded.sort((a, b) => wiregradShare(b.profile) - wiregradShare(a.profile))[0];
}

export function markdown(s: Summary, top: number): string {
  const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
  const lines = ['| where | self time ms | share |', '|---|---|---|'];
  for (const c of s.categories) lines.push(`| ${c.name} | ${c.ms.toFixed(0)} | ${pct(c.share)} |`);
  lines.push('', `Shares of ${s.totalMs.toFixed(0)} ms; start-up (module loading, ${s.startupMs.toFixed(0)} ms) and idle samples are left out.`);
  lines.push('', '| function | file | self time ms | share |', '|---|---|---|---|');
  for (const f of s.functions.slice(0, top)) lines.push(`| ${f.name} | ${f.file} | ${f.ms.toFixed(0)} | ${pct(f.share)} |`);
  return lines.join('\n') + '\n';
}

function main(): void {
  const argv = process.argv.slice(2);
  const topAt = argv.indexOf('--top');
  const top = topAt >= 0 ? Number(argv.splice(topAt, 2)[1]) : 15;
  if (argv.length !== 1) {
    process.stderr.write('usage: tsx scripts/bench-profile.ts <file.cpuprofile | folder> [--top N]\n');
    process.exit(2);
  }
  const target = argv[0];
  const files = fs.statSync(target).isDirectory()
    ? fs.readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(target, f))
    : [target];
  if (files.length === 0) {
    process.stderr.write(`bench-profile: no .cpuprofile in ${target}\n`);
    process.exit(2);
  }
  const { profile } = mainProfile(files);
  process.stdout.write(markdown(summarise(profile), top));
}

if (require.main === module) main();
