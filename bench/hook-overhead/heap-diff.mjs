// What one set-up's heap holds that another's does not, after the memory run of the hook benchmark
// (streams through the real `openai` client, then one full collection and a heap snapshot).
//
//   node bench/hook-overhead/heap-diff.mjs <setup A> <setup B> [streams]      (after `tsc -b`)
//   node bench/hook-overhead/heap-diff.mjs hook hook-spans                    what exporting spans adds
//   HOOK_BENCH_BASELINE=bench/dist/hook-baseline/dist node bench/hook-overhead/heap-diff.mjs hook-spans-baseline hook-spans
//   HEAP_DIFF_TOP=60 ...        rows per table (default 30)
//   HEAP_DIFF_KEEP=<dir> ...    keep the two snapshots there (default: removed)
//   HEAP_DIFF_BY=file ...       the dominator-tree table by module file, not by package
//
// Set-ups as in profile.mjs (`bare`, `span`, `hook`, `hook-spans`, `otel`, `openllmetry`, and the
// `-baseline` ones). Streams: 10,000 by default, as in the benchmark's memory runs. Prints, as B
// minus A: the heap after one full collection each app measured; the snapshot's bytes by kind of
// node (type and constructor or V8 name; strings together); the source text of the modules loaded
// in one and not the other, by package and by file; the heap by the package that keeps it (each
// object given to the first module up its dominator tree: the object lives only through that
// module's functions, their closures and its source); and the largest other strings. The snapshot
// also counts what `heapUsed` does not (array buffer contents, `native: system / JSArrayBufferData`).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { APP, APP_CWD, appSetup, run } from './setup.mjs';

const [setupA, setupB, streamsArg] = process.argv.slice(2);
if (!setupA || !setupB) {
  console.error('usage: node bench/hook-overhead/heap-diff.mjs <setup A> <setup B> [streams]');
  process.exit(2);
}
const STREAMS = Number(streamsArg ?? 10_000);
const TOP = Number(process.env.HEAP_DIFF_TOP ?? 30);
const keep = process.env.HEAP_DIFF_KEEP ? resolve(process.env.HEAP_DIFF_KEEP) : undefined;
const byFile = process.env.HEAP_DIFF_BY === 'file';
if (process.env.HEAP_DIFF_BY !== undefined && !byFile && process.env.HEAP_DIFF_BY !== 'package') {
  console.error(`HEAP_DIFF_BY=${process.env.HEAP_DIFF_BY}: not accepted; accepted: file, package`);
  process.exit(2);
}
const dir = keep ?? mkdtempSync(join(tmpdir(), 'heap-diff-'));

/** Runs the memory run of `setup` with a snapshot at its end: the heap the app measured and the snapshot's file. */
async function snapshot(setup) {
  const file = join(dir, `${setup}.heapsnapshot`);
  const { env, args, close } = await appSetup(setup);
  env.HOOK_BENCH_SNAPSHOT = file;
  try {
    const r = await run(process.execPath, ['--expose-gc', ...args, APP, 'chat-stream', '1000', '0', String(STREAMS)], {
      cwd: APP_CWD,
      env,
    });
    const line = r.stdout.trim().split('\n').pop();
    if (r.status !== 0 || !line) throw new Error(`${setup} exited with ${r.status}\n${r.stderr.trim()}`);
    return { heapBytes: JSON.parse(line).memoryHeapBytes, file };
  } finally {
    close();
  }
}

/** A module's file as a short name: `<package>/<path>` for a dependency, `packages/<name>/...` for ours. */
function shortFile(path) {
  const at = path.lastIndexOf('/node_modules/');
  if (at >= 0) return path.slice(at + '/node_modules/'.length);
  const own = path.indexOf('/packages/');
  return own >= 0 ? path.slice(own + 1) : path;
}

/** The package a short file name belongs to. */
function packageOf(file) {
  const parts = file.split('/');
  if (parts[0] === 'packages') return `packages/${parts[1]}`;
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

const STRING_TYPES = new Set(['string', 'concatenated string', 'sliced string']);

/**
 * Reads a snapshot into: bytes and count per kind of node, the source text of each module (a
 * script's `source` edge), and the other strings by their first 60 characters.
 */
function readSnapshot(file) {
  const s = JSON.parse(readFileSync(file, 'utf8'));
  const layout = snapshotLayout(s);
  const { nf, ef, iType, iName, iSize, iEdges, nodeTypes, edgeTypes, nodes, edges, strings } = layout;

  const sources = new Map();
  const sourceNodes = new Set();
  let edge = 0;
  for (let i = 0; i < nodes.length; i += nf) {
    const count = nodes[i + iEdges];
    if (nodeTypes[nodes[i + iType]] === 'code') {
      for (let j = 0; j < count; j++) {
        const at = (edge + j) * ef;
        const type = edgeTypes[edges[at]];
        if (type === 'element' || type === 'hidden' || strings[edges[at + 1]] !== 'source') continue;
        const to = edges[at + 2];
        if (!STRING_TYPES.has(nodeTypes[nodes[to + iType]])) continue;
        const name = strings[nodes[i + iName]];
        if (name) sources.set(shortFile(name), (sources.get(shortFile(name)) ?? 0) + nodes[to + iSize]);
        sourceNodes.add(to);
      }
    }
    edge += count;
  }

  const kinds = new Map();
  const otherStrings = new Map();
  for (let i = 0; i < nodes.length; i += nf) {
    const type = nodeTypes[nodes[i + iType]];
    const name = strings[nodes[i + iName]];
    const size = nodes[i + iSize];
    let kind;
    if (STRING_TYPES.has(type)) {
      kind = sourceNodes.has(i) ? 'string (module source)' : type;
      if (!sourceNodes.has(i) && type === 'string') {
        const key = name.slice(0, 60).replace(/\s+/g, ' ');
        otherStrings.set(key, (otherStrings.get(key) ?? 0) + size);
      }
    } else if (type === 'closure') kind = 'closure';
    else if (type === 'code' && (name.startsWith('/') || name.startsWith('node:') || name.startsWith('file:')))
      kind = 'code: (module script)';
    else kind = `${type}: ${name.slice(0, 60)}`;
    const entry = kinds.get(kind) ?? { bytes: 0, count: 0 };
    entry.bytes += size;
    entry.count++;
    kinds.set(kind, entry);
  }
  return { kinds, sources, otherStrings, retained: retainedByKeeper(layout) };
}

/** The arrays of a parsed snapshot, and where each field sits in a node or an edge. */
function snapshotLayout(s) {
  const meta = s.snapshot.meta;
  return {
    nf: meta.node_fields.length,
    ef: meta.edge_fields.length,
    iType: meta.node_fields.indexOf('type'),
    iName: meta.node_fields.indexOf('name'),
    iSize: meta.node_fields.indexOf('self_size'),
    iEdges: meta.node_fields.indexOf('edge_count'),
    nodeTypes: meta.node_types[0],
    edgeTypes: meta.edge_types[0],
    nodes: s.nodes,
    edges: s.edges,
    strings: s.strings,
  };
}

const HELD_BY_NO_MODULE = '(held by no one module)';

/**
 * Bytes of the snapshot by the package (with HEAP_DIFF_BY=file, the file) of the module that keeps
 * them: every node reachable from the root (weak edges left out) is given to the first node up its
 * dominator tree that belongs to a module (a script, a function of it, or a closure of such a
 * function); what is reached from more than one module, or from none, is held by no one module.
 * Dominators by Cooper, Harvey and Kennedy's iteration over the reverse post-order.
 */
function retainedByKeeper({ nf, ef, iType, iName, iSize, iEdges, nodeTypes, edgeTypes, nodes, edges, strings }) {
  const n = nodes.length / nf;
  const first = new Uint32Array(n + 1);
  for (let v = 0, e = 0; v < n; v++) {
    first[v] = e;
    e += nodes[v * nf + iEdges] * ef;
  }
  first[n] = edges.length;
  const skipped = new Set([edgeTypes.indexOf('weak'), edgeTypes.indexOf('shortcut')]);
  // Post-order from the root (node 0), and each node's predecessors.
  const order = new Int32Array(n).fill(-1);
  const preds = new Array(n);
  const post = [];
  const next = new Uint32Array(n);
  const stack = [0];
  order[0] = -2;
  next[0] = first[0];
  while (stack.length) {
    const v = stack[stack.length - 1];
    if (next[v] < first[v + 1]) {
      const e = next[v];
      next[v] += ef;
      if (skipped.has(edges[e])) continue;
      const w = edges[e + 2] / nf;
      (preds[w] ??= []).push(v);
      if (order[w] === -1) {
        order[w] = -2;
        next[w] = first[w];
        stack.push(w);
      }
    } else {
      stack.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
  const idom = new Int32Array(n).fill(-1);
  idom[0] = 0;
  const intersect = (x, y) => {
    while (x !== y) {
      while (order[x] < order[y]) x = idom[x];
      while (order[y] < order[x]) y = idom[y];
    }
    return x;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let k = post.length - 2; k >= 0; k--) {
      const v = post[k];
      let d = -1;
      for (const p of preds[v] ?? []) if (idom[p] !== -1) d = d === -1 ? p : intersect(p, d);
      if (d !== -1 && idom[v] !== d) {
        idom[v] = d;
        changed = true;
      }
    }
  }
  const edgeTo = (v, name) => {
    for (let e = first[v]; e < first[v + 1]; e += ef) {
      const type = edgeTypes[edges[e]];
      if (type !== 'element' && type !== 'hidden' && strings[edges[e + 1]] === name) return edges[e + 2] / nf;
    }
    return -1;
  };
  const isScript = (v) => {
    const name = strings[nodes[v * nf + iName]];
    return nodeTypes[nodes[v * nf + iType]] === 'code' && (name.startsWith('/') || name.startsWith('node:') || name.startsWith('file:'));
  };
  /** The module file a node belongs to: a script, a function (shared function info) or a closure. */
  const moduleOf = (v) => {
    if (isScript(v)) return strings[nodes[v * nf + iName]];
    const type = nodeTypes[nodes[v * nf + iType]];
    const shared = type === 'closure' ? edgeTo(v, 'shared') : type === 'code' ? v : -1;
    if (shared < 0) return undefined;
    const script = edgeTo(shared, 'script_or_debug_info');
    return script >= 0 && isScript(script) ? strings[nodes[script * nf + iName]] : undefined;
  };
  const owner = new Array(n);
  const by = new Map();
  for (let k = post.length - 1; k >= 0; k--) {
    // Reverse post-order: a node's immediate dominator is given its owner first.
    const v = post[k];
    const file = moduleOf(v);
    const keeper = file === undefined ? undefined : byFile ? shortFile(file) : packageOf(shortFile(file));
    owner[v] = keeper !== undefined ? keeper : v === 0 ? HELD_BY_NO_MODULE : owner[idom[v]];
    by.set(owner[v], (by.get(owner[v]) ?? 0) + nodes[v * nf + iSize]);
  }
  return by;
}

const kb = (bytes) => (bytes / 1024).toFixed(1).padStart(9);
const mb = (bytes) => (bytes / 2 ** 20).toFixed(2);

console.log(`# heap diff: ${setupB} minus ${setupA}, after ${STREAMS.toLocaleString('en-US')} streams and one full collection`);
const a = await snapshot(setupA);
const b = await snapshot(setupB);
console.log(
  `heap after one full collection: ${setupA} ${mb(a.heapBytes)} MB, ${setupB} ${mb(b.heapBytes)} MB, difference ${mb(b.heapBytes - a.heapBytes)} MB`,
);
const A = readSnapshot(a.file);
const B = readSnapshot(b.file);
if (!keep) rmSync(dir, { recursive: true, force: true });
else console.log(`snapshots kept in ${dir}`);

/** Rows of B minus A over the keys of two maps of numbers (or {bytes, count}), largest difference first. */
function diffRows(mapA, mapB, value = (v) => v ?? 0) {
  const keys = new Set([...mapA.keys(), ...mapB.keys()]);
  return [...keys]
    .map((key) => [key, value(mapB.get(key)) - value(mapA.get(key))])
    .filter(([, d]) => d !== 0)
    .sort((x, y) => Math.abs(y[1]) - Math.abs(x[1]));
}

const kindRows = diffRows(A.kinds, B.kinds, (v) => v?.bytes ?? 0);
console.log(`\n## snapshot by kind of node (KB, ${setupB} minus ${setupA}; total ${kb(kindRows.reduce((t, r) => t + r[1], 0)).trim()} KB)`);
for (const [kind, d] of kindRows.slice(0, TOP)) {
  const count = (B.kinds.get(kind)?.count ?? 0) - (A.kinds.get(kind)?.count ?? 0);
  console.log(`${kb(d)}  ${String(count).padStart(7)}  ${kind}`);
}

const packages = (sources) => {
  const by = new Map();
  for (const [file, bytes] of sources) {
    const name = packageOf(file);
    const entry = by.get(name) ?? { bytes: 0, files: 0 };
    entry.bytes += bytes;
    entry.files++;
    by.set(name, entry);
  }
  return by;
};
const pkgA = packages(A.sources);
const pkgB = packages(B.sources);
const pkgRows = diffRows(pkgA, pkgB, (v) => v?.bytes ?? 0);
console.log(`\n## module source text by package (KB; files; total ${kb(pkgRows.reduce((t, r) => t + r[1], 0)).trim()} KB)`);
for (const [name, d] of pkgRows.slice(0, TOP)) {
  const files = (pkgB.get(name)?.files ?? 0) - (pkgA.get(name)?.files ?? 0);
  console.log(`${kb(d)}  ${String(files).padStart(5)}  ${name}`);
}
console.log('\n## module source text by file (KB)');
for (const [file, d] of diffRows(A.sources, B.sources).slice(0, TOP)) console.log(`${kb(d)}  ${file}`);
console.log(`\n## heap by the ${byFile ? 'module file' : 'package'} that keeps it, up the dominator tree (KB)`);
for (const [name, d] of diffRows(A.retained, B.retained).slice(0, TOP)) console.log(`${kb(d)}  ${name}`);
console.log('\n## other strings by their first 60 characters (KB, differences of 2 KB or more)');
for (const [text, d] of diffRows(A.otherStrings, B.otherStrings)
  .filter(([, d]) => Math.abs(d) >= 2048)
  .slice(0, TOP))
  console.log(`${kb(d)}  ${JSON.stringify(text)}`);
