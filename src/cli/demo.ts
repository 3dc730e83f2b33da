import * as path from 'node:path';
import { xorGate } from '../data/synthetic';
import { Graph } from '../graph/graph';
import { ensureDir } from '../io/folder';
import { writeGraph } from '../io/render';
import { mse } from '../losses/mse';
import { add } from '../ops/add';
import { inner } from '../ops/inner';
import { tanh } from '../ops/tanh';
import { Sgd } from '../optim/sgd';
import { xavier, zeros } from '../tensor/init';
import { Rng } from '../tensor/rng';
import { gradcheck } from '../testing/gradcheck';
import { Command } from './command';
import { shown } from './files';
import { FlagDef, helpText, intFlag, numberFlag, parseCommand } from './flags';

const flags: readonly FlagDef[] = [
  { name: 'steps', value: 'N', default: 300, help: 'gradient-descent steps' },
  { name: 'lr', value: 'RATE', default: 0.2, help: 'learning rate' },
  { name: 'seed', value: 'N', default: 1, help: 'seed of the weight initialisation' },
  // not graphs/: that folder holds exactly the built-in models, and a test keeps it so
  { name: 'out', value: 'DIR', default: 'runs/demo', help: 'folder for demo.dot, demo.svg and demo.png' },
];

/** A two-layer net wired by hand, trained on XOR, gradient-checked and drawn: the README's example. */
export const demo: Command = {
  name: 'demo',
  summary: 'wire a two-layer net by hand, train it on XOR, check its gradients, draw its graph',
  help: helpText(
    'wiregrad demo [flags]',
    'Wires x → inner → add bias → tanh → inner → add → mse by hand, trains it on the four XOR\n' +
      'pairs with plain gradient descent, checks every gradient against central differences and\n' +
      'writes the graph as DOT, SVG and PNG.',
    [],
    flags,
  ),
  async run(argv) {
    const line = parseCommand('demo', this.help, argv, flags, []);
    if (!line) return 0;
    const { values } = line;
    const steps = intFlag('demo', 'steps', values.steps, 0, 1_000_000);
    const lr = numberFlag('demo', 'lr', values.lr, 0, 100);
    const seed = intFlag('demo', 'seed', values.seed, 0, 2 ** 32 - 1);
    const out = ensureDir(String(values.out));

    const rng = new Rng(seed);
    const g = new Graph({ dtype: 'float64' });
    const x = g.input('x', 4, 2);
    const target = g.input('target', 4, 1);
    const h = tanh(add(inner(x, g.param('W1', xavier(rng, 2, 8))), g.param('b1', zeros(1, 8))), 'h');
    const y = add(inner(h, g.param('W2', xavier(rng, 8, 1))), g.param('b2', zeros(1, 1)), 'y');
    const loss = mse(y, target, 'mean', 'loss');
    const xor = xorGate();
    x.feed(xor.x);
    target.feed(xor.y);

    const check = gradcheck(loss);
    process.stdout.write(`gradcheck: ${check.ok ? 'ok' : 'FAILED'}, ${check.message}\n`);
    const before = g.forward(loss).data[0];
    const optimizer = new Sgd(g.parameters(), { lr });
    for (let step = 0; step < steps; step++) {
      g.backward(loss);
      optimizer.step();
    }
    const after = g.forward(loss).data[0];
    process.stdout.write(`trained ${steps} steps: loss ${before.toFixed(4)} → ${after.toFixed(4)}\n`);
    const pred = g.forward(y);
    for (let i = 0; i < 4; i++) {
      process.stdout.write(`  xor(${plusMinusOne(xor.x.get(i, 0))}, ${plusMinusOne(xor.x.get(i, 1))}) = ${plusMinusOne(xor.y.get(i, 0))}   predicted ${pred.get(i, 0).toFixed(3)}\n`);
    }
    const files = await writeGraph(loss, path.join(out, 'demo.dot'), { title: 'demo: two-layer net on XOR', svg: true, png: true });
    process.stdout.write(`graph: ${files.map(shown).join(', ')}\n`);
    return check.ok ? 0 : 1;
  },
};

function plusMinusOne(v: number): string {
  return v > 0 ? '+1' : '-1';
}
