// Reference runs of OpenZeppelin's @openzeppelin/merkle-tree, for tests and benchmarks.
//
// The Python tree in swap/core/merkle.py must give the same roots, proofs and dumps as this
// library; this script runs the library on the same input so a test can compare them.
//
//   node contracts/scripts/oz_tree.mjs tree FILE.csv [--multiproof 0,3,7]
//       {"root", "proofs" (CSV row order), "dump" (JSON.stringify of tree.dump()), "multiproof"}
//   node contracts/scripts/oz_tree.mjs load DUMP.json
//       {"root", "proofs"} after StandardMerkleTree.load (which re-hashes the whole dump)
//   node contracts/scripts/oz_tree.mjs bench FILE.csv [--sample N]
//       wall and CPU times: build, N proofs (to extrapolate to all), dump; peak RSS
//
// FILE.csv is "address,amount" with a header line; values are passed to the library as the exact
// strings of the file, as a user of the library would.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { StandardMerkleTree } = require('@openzeppelin/merkle-tree');
const ENCODING = ['address', 'uint256'];

function readCsv(path) {
  const lines = readFileSync(path, 'utf8').split(/\r?\n/);
  const values = [];
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const [address, amount] = line.split(',');
    values.push([address, amount]);
  }
  return values;
}

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at === -1 ? fallback : process.argv[at + 1];
}

const [mode, path] = process.argv.slice(2);
let out;
if (mode === 'tree') {
  const values = readCsv(path);
  const tree = StandardMerkleTree.of(values, ENCODING);
  out = {
    root: tree.root,
    proofs: values.map((_, i) => tree.getProof(i)),
    dump: JSON.stringify(tree.dump()),
  };
  const rows = option('--multiproof', null);
  if (rows !== null) out.multiproof = tree.getMultiProof(rows.split(',').map(Number));
} else if (mode === 'load') {
  const tree = StandardMerkleTree.load(JSON.parse(readFileSync(path, 'utf8')));
  out = { root: tree.root, proofs: Array.from(tree.entries(), ([i]) => tree.getProof(i)) };
} else if (mode === 'bench') {
  const values = readCsv(path);
  const sample = Math.min(Number(option('--sample', '1000')), values.length);
  // Wall time and CPU time (all threads of the process, V8's GC helpers included): on a machine
  // shared with other work, CPU time is the fairer of the two.
  const timed = (work) => {
    const wall = performance.now();
    const cpu = process.cpuUsage();
    const result = work();
    const used = process.cpuUsage(cpu);
    return [result, (performance.now() - wall) / 1000, (used.user + used.system) / 1e6];
  };
  const [tree, build, buildCpu] = timed(() => StandardMerkleTree.of(values, ENCODING));
  // Spread the sampled values over the whole input so tree depth varies as in a full run.
  const step = values.length / sample;
  const [, proofs, proofsCpu] = timed(() => {
    for (let k = 0; k < sample; k++) tree.getProof(Math.floor(k * step));
  });
  const [dumped, dump, dumpCpu] = timed(() => JSON.stringify(tree.dump()));
  out = {
    leaves: values.length,
    root: tree.root,
    build_s: build,
    build_cpu_s: buildCpu,
    proofs_sampled: sample,
    proofs_sample_s: proofs,
    proofs_sample_cpu_s: proofsCpu,
    dump_s: dump,
    dump_cpu_s: dumpCpu,
    dump_bytes: dumped.length,
    max_rss_kb: process.resourceUsage().maxRSS,
  };
} else {
  console.error('usage: oz_tree.mjs tree|load|bench FILE');
  process.exit(2);
}
process.stdout.write(JSON.stringify(out) + '\n');
