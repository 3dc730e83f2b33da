import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Busy and total jiffies of all CPUs (/proc/stat's first line). */
function cpuJiffies(): { busy: number; total: number } {
  const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((s, v) => s + v, 0);
  const idle = fields[3] + (fields[4] ?? 0); // idle + iowait
  return { busy: total - idle, total };
}

/** CPU jiffies (utime + stime) of every process, by pid, with its command name. */
function processJiffies(): Map<number, { name: string; jiffies: number }> {
  const out = new Map<number, { name: string; jiffies: number }>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const rest = stat.slice(close + 2).split(' ');
      out.set(Number(entry), { name, jiffies: Number(rest[11]) + Number(rest[12]) });
    } catch {
      // the process ended between readdir and read
    }
  }
  return out;
}

const HZ = 100; // USER_HZ on Linux x86-64

export interface Load {
  /** /proc/loadavg's 1-minute average when the run started. */
  loadavg1: number;
  /** Cores kept busy by processes other than the measured one, averaged over the run. */
  othersCores: number;
  /** The busiest other processes over the run (cores each). */
  top: { pid: number; name: string; cores: number }[];
}

/** Watches the machine over one run: call `stop(pid, childCpuSeconds)` when the run is over. */
export function watchLoad(): { stop(childPid: number | undefined, childCpu: number): Load } {
  const loadavg1 = os.loadavg()[0];
  const cpu0 = cpuJiffies();
  const procs0 = processJiffies();
  const t0 = process.hrtime.bigint();
  return {
    stop(childPid, childCpu) {
      const cpu1 = cpuJiffies();
      const procs1 = processJiffies();
      const wall = Number(process.hrtime.bigint() - t0) / 1e9;
      const busy = (cpu1.busy - cpu0.busy) / HZ;
      const top: Load['top'] = [];
      for (const [pid, p] of procs1) {
        const before = procs0.get(pid);
        if (pid === childPid || pid === process.pid || !before) continue;
        const cores = (p.jiffies - before.jiffies) / HZ / wall;
        if (cores >= 0.05) top.push({ pid, name: p.name, cores: round(cores) });
      }
      top.sort((x, y) => y.cores - x.cores);
      return { loadavg1, othersCores: round(Math.max(0, (busy - childCpu) / wall)), top: top.slice(0, 3) };
    },
  };
}

/** Cores busy over the next `seconds` (nothing of ours runs meanwhile: all of it is other processes). */
export function busyCores(seconds: number): number {
  const a = cpuJiffies();
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  const b = cpuJiffies();
  return ((b.busy - a.busy) / (b.total - a.total)) * os.cpus().length;
}

/** Waits (at most `maxSeconds`) until other processes use less than `threshold` cores; returns what was seen last. */
export function waitForQuiet(threshold: number, maxSeconds: number): { cores: number; waited: number } {
  const start = Date.now();
  let cores = busyCores(0.5);
  while (cores >= threshold && (Date.now() - start) / 1000 < maxSeconds) cores = busyCores(1);
  return { cores: round(cores), waited: round((Date.now() - start) / 1000) };
}

export function machine(): { cpu: string; cores: number; memGiB: number; kernel: string; node: string; commit: string } {
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, memGiB: round(os.totalmem() / 2 ** 30), kernel: os.release(), node: process.version, commit: sourceCommit() };
}

/** The commit measured, with `+changes` when src/ or native/ differ from it. */
function sourceCommit(): string {
  const git = (args: string[]): string | null => {
    const r = spawnSync('git', args, { cwd: path.resolve(__dirname, '..'), encoding: 'utf8' });
    return r.status === 0 ? r.stdout.trim() : null;
  };
  const head = git(['rev-parse', '--short', 'HEAD']);
  if (head === null) return 'unknown (not a git checkout)';
  return git(['status', '--porcelain', '--', 'src', 'native']) ? `${head}+changes` : head;
}

function round(v: number): number {
  return Math.round(v * 100) / 100;
}
