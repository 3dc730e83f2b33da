import { existsSync, readdirSync, readFileSync } from 'fs';
import { join } from 'path';
import { builtinDot, builtinModels } from '../src/models';

const folder = join(__dirname, '..', 'graphs');
const fix = 'run `npm run graphs` and commit graphs/';

/** The first line where two texts part, for a message a person can act on. */
function firstDifference(committed: string, emitted: string): string {
  const a = committed.split('\n');
  const b = emitted.split('\n');
  const i = a.findIndex((line, k) => line !== b[k]);
  const at = i === -1 ? a.length : i;
  return `line ${at + 1}:\n  committed: ${a[at] ?? '(end of file)'}\n  emitted:   ${b[at] ?? '(end of file)'}`;
}

describe('committed graphs', () => {
  it.each(builtinModels.map((m) => [m.name, m] as const))('graphs/%s.dot matches what the code emits', (name, model) => {
    const path = join(folder, `${name}.dot`);
    if (!existsSync(path)) throw new Error(`graphs/${name}.dot is missing: ${fix}`);
    const committed = readFileSync(path, 'utf8');
    const emitted = builtinDot(model);
    if (committed !== emitted) {
      throw new Error(`graphs/${name}.dot no longer matches what the code emits (${firstDifference(committed, emitted)})\n${fix}`);
    }
    if (!existsSync(join(folder, `${name}.svg`))) throw new Error(`graphs/${name}.svg is missing: ${fix}`);
  });

  it('holds no graph of a model that is gone', () => {
    const names = new Set(builtinModels.map((m) => m.name));
    const stale = (existsSync(folder) ? readdirSync(folder) : []).filter((f) => /\.(dot|svg)$/.test(f) && !names.has(f.replace(/\.(dot|svg)$/, '')));
    if (stale.length > 0) throw new Error(`graphs/ holds files of no built-in model (${stale.join(', ')}): ${fix}`);
  });

  it('lists each built-in model once, with a file-safe name', () => {
    const names = builtinModels.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
  });
});
