import { UsageError } from '../errors';
import { Matrix, shapeText } from '../tensor/matrix';
import { Node } from './node';

export interface DotOptions {
  /** A heading drawn above the graph. */
  title?: string;
  /** Direction of the data flow: top to bottom (default) or left to right. */
  rankdir?: 'TB' | 'LR';
  /** Show ‖g‖ of the gradient each node received in the latest backward pass. */
  gradients?: boolean;
}

/** The colour of each node family; always #rrggbb, since some Graphviz builds draw #rgb as black. */
export const dotColours = {
  param: { fill: '#fde7c8', border: '#c27c0e' },
  shared: { fill: '#fbc98a', border: '#9a5b00' },
  input: { fill: '#d6e6fb', border: '#2f6db5' },
  const: { fill: '#e8e8e8', border: '#7a7a7a' },
  op: { fill: '#ffffff', border: '#5d6b7a' },
  loss: { fill: '#e7dcf7', border: '#6b3fa0' },
  nonFinite: { fill: '#f8a5a5', border: '#c0392b' },
  cluster: { fill: '#f6f8fa', border: '#c5cdd6' },
  edge: '#6e7781',
  refEdge: '#8250df',
  muted: '#57606a',
  background: '#ffffff',
} as const;

const FONT = 'Helvetica,Arial,sans-serif';

/**
 * Graphviz DOT of everything the root(s) depend on. Names dotted by scopes become nested
 * clusters, parameters read by several consumers are marked shared, NaN/Inf values or
 * gradients are filled red. Nodes, clusters and edges follow creation order so that two
 * builds of one model give byte-identical text.
 */
export function toDot(root: Node | readonly Node[], options: DotOptions = {}): string {
  const roots = Array.isArray(root) ? (root as readonly Node[]) : [root as Node];
  if (roots.length === 0 || !roots.every((r) => r instanceof Node)) throw new UsageError('toDot: give a node or a non-empty list of nodes');
  const graph = roots[0].graph;
  if (roots.some((r) => r.graph !== graph)) throw new UsageError('toDot: all roots must belong to one graph');
  const rankdir = options.rankdir ?? 'TB';
  if (rankdir !== 'TB' && rankdir !== 'LR') throw new UsageError(`toDot: rankdir must be 'TB' or 'LR', got ${String(rankdir)}`);

  const nodes = reachable(roots);
  const consumers = new Map<Node, Set<Node>>();
  for (const n of nodes) {
    for (const inp of n.inputs) {
      const set = consumers.get(inp) ?? new Set<Node>();
      set.add(n);
      consumers.set(inp, set);
    }
  }
  const rootSet = new Set(roots);

  const lines: string[] = [`digraph ${quote(options.title ?? 'wiregrad')} {`];
  const graphAttrs: Attr[] = [
    ['rankdir', rankdir],
    ['fontname', FONT],
    ['fontsize', options.title === undefined ? '11' : '16'],
    ['bgcolor', dotColours.background],
    ['nodesep', '0.3'],
    ['ranksep', '0.35'],
    ['pad', '0.25'],
  ];
  if (options.title !== undefined) graphAttrs.push(['label', options.title], ['labelloc', 't']);
  lines.push(`  graph ${attrList(graphAttrs)};`);
  lines.push(`  node ${attrList([['shape', 'box'], ['style', 'rounded,filled'], ['fontname', FONT], ['fontsize', '11'], ['margin', '0.18,0.07'], ['penwidth', '1.2']])};`);
  lines.push(`  edge ${attrList([['color', dotColours.edge], ['arrowsize', '0.7'], ['fontname', FONT], ['fontsize', '9'], ['fontcolor', dotColours.muted]])};`);

  const statement = (n: Node): string => nodeStatement(n, consumers.get(n)?.size ?? 0, rootSet.has(n), options.gradients === true);
  emitCluster(clusterTree(nodes), lines, '  ', statement);

  for (const n of nodes) {
    n.inputs.forEach((inp, slot) => {
      const attrs: Attr[] = [];
      // A forward reference is drawn as a feedback edge: it must not pull the reference below its target.
      if (n.kind === 'Ref') attrs.push(['style', 'dashed'], ['color', dotColours.refEdge], ['constraint', 'false']);
      else if (n.inputs.some((other, s) => other === inp && s !== slot)) attrs.push(['xlabel', `#${slot}`]);
      lines.push(`  ${quote(inp.name)} -> ${quote(n.name)}${attrs.length > 0 ? ' ' + attrList(attrs) : ''};`);
    });
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Every node the roots depend on (the roots included), in creation order. */
function reachable(roots: readonly Node[]): Node[] {
  const seen = new Set<Node>();
  const stack = [...roots];
  while (stack.length > 0) {
    const n = stack.pop() as Node;
    if (seen.has(n)) continue;
    seen.add(n);
    stack.push(...n.inputs);
  }
  return [...seen].sort((a, b) => a.id - b.id);
}

interface Cluster {
  prefix: string;
  /** Direct nodes and sub-clusters, in the order of their first node's creation. */
  items: (Node | Cluster)[];
}

/** Nested clusters from dotted names: `lstm.t3.cell` lives in `lstm.t3`, inside `lstm`. */
function clusterTree(nodes: readonly Node[]): Cluster {
  const top: Cluster = { prefix: '', items: [] };
  const byPrefix = new Map<string, Cluster>([['', top]]);
  for (const n of nodes) {
    const parts = n.name.split('.');
    let parent = top;
    for (let depth = 1; depth < parts.length; depth++) {
      const prefix = parts.slice(0, depth).join('.');
      let c = byPrefix.get(prefix);
      if (!c) {
        c = { prefix, items: [] };
        byPrefix.set(prefix, c);
        parent.items.push(c);
      }
      parent = c;
    }
    parent.items.push(n);
  }
  return top;
}

function emitCluster(c: Cluster, lines: string[], indent: string, statement: (n: Node) => string): void {
  for (const item of c.items) {
    if (item instanceof Node) {
      lines.push(indent + statement(item));
      continue;
    }
    lines.push(`${indent}subgraph ${quote('cluster_' + item.prefix)} {`);
    const attrs: Attr[] = [
      ['label', item.prefix],
      ['labeljust', 'l'],
      ['style', 'rounded,filled'],
      ['fillcolor', dotColours.cluster.fill],
      ['color', dotColours.cluster.border],
      ['fontcolor', dotColours.muted],
      ['fontsize', '11'], // not the title's size, which clusters would inherit
    ];
    lines.push(`${indent}  graph ${attrList(attrs)};`);
    emitCluster(item, lines, indent + '  ', statement);
    lines.push(`${indent}}`);
  }
}

function nodeStatement(n: Node, consumerCount: number, isRoot: boolean, gradients: boolean): string {
  const shared = n.role === 'param' && consumerCount > 1;
  const grad = n.grad;
  const badValue = hasCurrentValue(n) && !allFinite(n.value);
  const badGradient = grad !== null && !allFinite(grad);
  const nonFinite = badValue || badGradient;
  const family = nonFinite ? 'nonFinite' : shared ? 'shared' : n.role === 'op' ? (isLoss(n) ? 'loss' : 'op') : n.role;
  const colours = dotColours[family];

  const local = n.name.slice(n.name.lastIndexOf('.') + 1);
  // One font per line: the PNG is drawn with wider fonts than Graphviz measures, and mixed spans would overlap.
  const details = n.role === 'op' ? shapeText(n.shape) : `${n.role} ${shapeText(n.shape)}`;
  const rows = [`<B>${html(n.kind)}</B>`, html(local), `<FONT POINT-SIZE="9" COLOR="${dotColours.muted}">${details}</FONT>`];
  if (shared) rows.push(`<FONT POINT-SIZE="9"><B>shared ×${consumerCount}</B></FONT>`);
  if (gradients && grad !== null) rows.push(`<FONT POINT-SIZE="9">‖g‖ ${formatNorm(grad.norm())}</FONT>`);
  // Said in words too, for readers who cannot tell the red apart.
  if (nonFinite) rows.push(`<FONT POINT-SIZE="9"><B>NaN/Inf in ${badValue ? 'value' : 'gradient'}</B></FONT>`);

  const attrs: Attr[] = [
    ['label', { html: rows.join('<BR/>') }],
    ['fillcolor', colours.fill],
    ['color', colours.border],
    ['tooltip', `${n.describe()}: ${n.op.math[0]}`],
  ];
  if (shared) attrs.push(['penwidth', '2.4']);
  if (isRoot) attrs.push(['peripheries', '2']);
  if (n.kind === 'Ref') attrs.push(['style', 'rounded,filled,dashed']);
  return `${quote(n.name)} ${attrList(attrs)};`;
}

/** The loss kinds are the ones that reduce their terms to one number by a chosen reduction. */
function isLoss(n: Node): boolean {
  return typeof n.attrs === 'object' && n.attrs !== null && 'reduction' in n.attrs;
}

/** Leaves always hold their value; an op's buffer is only meaningful once computed since the last reset. */
function hasCurrentValue(n: Node): boolean {
  return n.role === 'param' || n.role === 'const' || n.computedEpoch === n.graph.epoch || n.fedEpoch === n.graph.epoch;
}

function allFinite(m: Matrix): boolean {
  for (let i = 0; i < m.data.length; i++) if (!Number.isFinite(m.data[i])) return false;
  return true;
}

function formatNorm(v: number): string {
  return Number.isFinite(v) ? v.toPrecision(3) : String(v);
}

/** An attribute: a plain value (quoted) or an HTML-like label (in <…>, its text already escaped). */
type Attr = [string, string | { html: string }];

function attrList(attrs: readonly Attr[]): string {
  return `[${attrs.map(([k, v]) => `${k}=${typeof v === 'string' ? quote(v) : `<${v.html}>`}`).join(', ')}]`;
}

/** A DOT quoted string: backslashes, quotes and line breaks escaped. */
function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** Text inside an HTML-like label. */
function html(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
