import { mkdtempSync, readFileSync, existsSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

// README.md shows the code between the markers below, with '../src' spelled 'wiregrad';
// the last test of this file keeps the two the same.
// The example writes graphs/ into the current folder: let that be a temporary one.
const here = process.cwd();
beforeAll(() => process.chdir(mkdtempSync(join(tmpdir(), 'wiregrad-readme-'))));
afterAll(() => process.chdir(here));

// README-EXAMPLE-START
import { Graph, Rng, Sgd, add, init, inner, mse, tanh, wiregradMatchers, writeGraph } from '../src';

expect.extend(wiregradMatchers);

test('a two-layer net wired by hand learns XOR', async () => {
  const rng = new Rng(0);
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', 4, 2);
  const y = g.input('y', 4, 1);
  const h = tanh(add(inner(x, g.param('W1', init.xavier(rng, 2, 8))), g.param('b1', init.zeros(1, 8))), 'h');
  const out = add(inner(h, g.param('W2', init.xavier(rng, 8, 1))), g.param('b2', init.zeros(1, 1)), 'out');
  const loss = mse(out, y, 'mean', 'loss');

  x.feed([[-1, -1], [-1, 1], [1, -1], [1, 1]]);
  y.feed([[-1], [1], [1], [-1]]);
  expect(loss).toHaveCorrectGradients(); // every gradient against central differences

  const sgd = new Sgd(g.parameters(), { lr: 0.2 });
  for (let step = 0; step < 300; step++) {
    g.backward(loss); // forward runs on demand, memoised until something changes
    sgd.step();
  }
  expect(g.forward(loss).data[0]).toBeLessThan(0.01);
  await writeGraph(loss, 'graphs/two-layer.dot', { svg: true });
});
// README-EXAMPLE-END

describe('the README example', () => {
  test('wrote its graph', () => {
    // runs after the example (jest runs tests in file order), inside the temporary folder
    expect(existsSync('graphs/two-layer.dot')).toBe(true);
    expect(readFileSync('graphs/two-layer.svg', 'utf8')).toContain('<svg');
  });

  test('is shown in README.md verbatim', () => {
    const source = readFileSync(join(__dirname, 'readme.example.test.ts'), 'utf8');
    const example = source.split('// README-EXAMPLE-START\n')[1].split('// README-EXAMPLE-END')[0].replace("from '../src'", "from 'wiregrad'");
    const readme = readFileSync(join(__dirname, '..', 'README.md'), 'utf8');
    expect(readme).toContain(example);
  });
});
