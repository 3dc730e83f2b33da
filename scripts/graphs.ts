// Regenerates graphs/<name>.dot and graphs/<name>.svg for every built-in model (`npm run graphs`)
// and removes the files of models that no longer exist.
import { mkdirSync, readdirSync, rmSync } from 'fs';
import { join } from 'path';
import { writeFileAtomic } from '../src/io/atomic';
import { renderSvg } from '../src/io/render';
import { builtinDot, builtinModels } from '../src/models';

const folder = join(__dirname, '..', 'graphs');

async function main(): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const names = new Set(builtinModels.map((m) => m.name));
  for (const model of builtinModels) {
    const dot = builtinDot(model);
    writeFileAtomic(join(folder, `${model.name}.dot`), Buffer.from(dot));
    writeFileAtomic(join(folder, `${model.name}.svg`), Buffer.from(await renderSvg(dot)));
    process.stdout.write(`graphs/${model.name}.dot, .svg\n`);
  }
  for (const file of readdirSync(folder)) {
    const match = /^(.*)\.(dot|svg)$/.exec(file);
    if (match && !names.has(match[1])) {
      rmSync(join(folder, file));
      process.stdout.write(`removed graphs/${file}\n`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
