// Self time by function from a V8 .cpuprofile (node --cpu-prof), largest first.
//
//   npx tsx bench/cpuprofile-summary.ts <file.cpuprofile> [--top 25] [--skip-ms 500]
//
// --skip-ms leaves out the samples of the first milliseconds (module loading, graph building),
// so the table shows the steady-state steps only. Idle samples are left out.
import { readFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
const option = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const top = option('top', 25);
const skipUs = option('skip-ms', 500) * 1000;

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const selfUs = new Map<string, number>();
let totalUs = 0;
let elapsedUs = 0;
// a sample's time is the delta to the next sample
for (let i = 0; i < profile.samples.length; i++) {
  elapsedUs += profile.timeDeltas[i];
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (elapsedUs < skipUs) continue;
  const frame = (byId.get(profile.samples[i]) as ProfileNode).callFrame;
  if (frame.functionName === '(idle)') continue;
  const where = frame.url ? `${path.relative(process.cwd(), frame.url.replace(/^file:\/\//, ''))}:${frame.lineNumber + 1}` : '';
  const key = `${frame.functionName || '(anonymous)'}\t${where}`;
  selfUs.set(key, (selfUs.get(key) ?? 0) + dt);
  totalUs += dt;
}

console.log(`${(totalUs / 1000).toFixed(0)} ms of samples after the first ${skipUs / 1000} ms`);
console.log('self ms   share  function  file:line');
for (const [key, us] of [...selfUs].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  const [fn, where] = key.split('\t');
  console.log(`${(us / 1000).toFixed(1).padStart(7)}  ${((100 * us) / totalUs).toFixed(1).padStart(5)} %  ${fn}  ${where}`);
}
