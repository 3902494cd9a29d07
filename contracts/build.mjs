// Compile the contracts with the pinned compiler and write their artifacts.
//
//   node contracts/build.mjs            write swap/chain/artifacts/<Contract>.json
//   node contracts/build.mjs --check    compile and compare with the committed artifacts; exit 1
//                                       listing every difference (a test runs this)
//   --dir DIR                           write to, or check, DIR instead of swap/chain/artifacts
//
// Safe's multisig contracts (the admin of SwapDistributor) are not compiled here: their artifacts
// are taken as built and published by Safe in the npm package `@safe-global/safe-contracts`
// (pinned in package.json), so the local chain runs the exact bytecode Safe deploys everywhere.
//
// The compiler is the npm package `solc` pinned in package.json (solc-js: the wasm build of solc
// inside the package, nothing downloaded), run through contracts/solc.mjs, the standard-JSON
// wrapper that forge and slither run too (foundry.toml), so every tool compiles with the same
// compiler. Input is standard JSON with source unit names relative to the repository root and
// OpenZeppelin imports read from node_modules, the metadata hash is left out of the bytecode, and
// artifacts are written with sorted keys and no timestamps, so the same sources and settings
// always give byte-identical artifacts on any machine. foundry.toml repeats these settings, and a
// forge test (contracts/test/Bytecode.t.sol) checks forge builds the committed bytecode.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = join(ROOT, 'swap', 'chain', 'artifacts');
const SOLC = join(ROOT, 'contracts', 'solc.mjs');

// Contract name -> source unit. The baseline is compiled by the same build so bench/gas.py
// compares bytecode from the same compiler and settings.
const CONTRACTS = {
  SwapDistributor: 'contracts/SwapDistributor.sol',
  TestSESH: 'contracts/test/TestSESH.sol',
  MerkleDistributor: 'contracts/baseline/MerkleDistributor.sol',
  CumulativeMerkleDrop: 'contracts/baseline/CumulativeMerkleDrop.sol',
};

// Safe contract name -> its artifact in the npm package (Safe's own build, bytecode unchanged).
// SafeL2 is the singleton Safe deploys on L2s (it emits the events indexers read).
const SAFE_PACKAGE = '@safe-global/safe-contracts';
const SAFE_ARTIFACTS = {
  SafeL2: 'build/artifacts/contracts/SafeL2.sol/SafeL2.json',
  SafeProxyFactory: 'build/artifacts/contracts/proxies/SafeProxyFactory.sol/SafeProxyFactory.json',
};

// Optimizer runs: claims and payouts are executed many times and deployed once, so runtime gas
// matters more than deployment size. evmVersion cancun: transient storage for the reentrancy
// guard (Arbitrum supports it since ArbOS 20); anvil's default hardfork runs it.
const SETTINGS = {
  evmVersion: 'cancun',
  metadata: { bytecodeHash: 'none' },
  optimizer: { enabled: true, runs: 10000 },
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] } },
};

// The one warning allowed, and only where it is raised: solc warns on every `tstore`, and
// OpenZeppelin's TransientSlot is where ReentrancyGuardTransient's tstore lives. The warning
// itself says a reentrancy guard cleared at the end of the call is safe, which is what it is.
function isAllowed(problem) {
  return (
    problem.severity === 'warning' &&
    problem.sourceLocation?.file === '@openzeppelin/contracts/utils/TransientSlot.sol' &&
    problem.message.startsWith('Transient storage as defined by EIP-1153 can break the composability')
  );
}

function readImport(unit) {
  const path = join(ROOT, 'node_modules', unit);
  if (!unit.startsWith('@openzeppelin/contracts/') || !existsSync(path)) {
    return { error: `import not found: ${unit} (only @openzeppelin/contracts from node_modules)` };
  }
  return { contents: readFileSync(path, 'utf8') };
}

// The wrapper, run as forge runs it: `--version`, then standard JSON on stdin, JSON on stdout.
function solcVersion() {
  const text = execFileSync(process.execPath, [SOLC, '--version'], { encoding: 'utf8' });
  const match = /^Version: (\S+)$/m.exec(text);
  if (!match) throw new Error(`contracts/solc.mjs --version printed no version: ${text}`);
  return match[1];
}

function solcCompile(input) {
  const args = [SOLC, '--standard-json', '--base-path', ROOT, '--include-path', join(ROOT, 'node_modules')];
  const text = execFileSync(process.execPath, args, {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(text);
}

function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}

function sha256(text) {
  return createHash('sha256').update(text).digest('hex');
}

function compile() {
  const sources = {};
  for (const unit of new Set(Object.values(CONTRACTS))) {
    sources[unit] = { content: readFileSync(join(ROOT, unit), 'utf8') };
  }
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = solcCompile(input);
  const version = solcVersion();
  // The wrapper reads any import under the repository; the build takes only OpenZeppelin's.
  const foreign = Object.keys(output.sources || {}).filter((unit) => !(unit in sources) && readImport(unit).error);
  if (foreign.length > 0) throw new Error(foreign.map((unit) => readImport(unit).error).join('\n'));
  const problems = (output.errors || []).filter((e) => e.severity !== 'info' && !isAllowed(e));
  if (problems.length > 0) {
    for (const problem of problems) console.error(problem.formattedMessage || problem.message);
    throw new Error(`the compiler reported ${problems.length} error(s) or warning(s); warnings fail the build`);
  }
  // Every source unit the compiler used (ours and OpenZeppelin's), by content: any change to any
  // of them, to the settings or to the compiler version changes this hash.
  const used = Object.keys(output.sources).sort();
  const contentOf = (unit) => sources[unit]?.content ?? readImport(unit).contents;
  const sourcesHash = sha256(
    JSON.stringify({
      compiler: version,
      settings: SETTINGS,
      sources: used.map((unit) => [unit, sha256(contentOf(unit))]),
    }),
  );
  const artifacts = {};
  for (const [name, unit] of Object.entries(CONTRACTS)) {
    const contract = output.contracts[unit][name];
    const artifact = {
      contractName: name,
      sourceName: unit,
      abi: contract.abi,
      bytecode: '0x' + contract.evm.bytecode.object,
      deployedBytecode: '0x' + contract.evm.deployedBytecode.object,
      compiler: { version, settings: SETTINGS },
      sourcesHash: 'sha256:' + sourcesHash,
    };
    artifacts[`${name}.json`] = JSON.stringify(sortKeys(artifact), null, 2) + '\n';
  }
  Object.assign(artifacts, safeArtifacts());
  return { artifacts, version };
}

// Safe's artifacts as published, reduced to what the service reads, with the package version.
function safeArtifacts() {
  const packageDir = join(ROOT, 'node_modules', SAFE_PACKAGE);
  const version = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')).version;
  const artifacts = {};
  for (const [name, path] of Object.entries(SAFE_ARTIFACTS)) {
    const built = JSON.parse(readFileSync(join(packageDir, path), 'utf8'));
    const artifact = {
      contractName: name,
      sourceName: built.sourceName,
      abi: built.abi,
      bytecode: built.bytecode,
      deployedBytecode: built.deployedBytecode,
      package: `${SAFE_PACKAGE}@${version}`,
      packageArtifact: path,
      packageArtifactSha256: 'sha256:' + sha256(readFileSync(join(packageDir, path), 'utf8')),
    };
    artifacts[`${name}.json`] = JSON.stringify(sortKeys(artifact), null, 2) + '\n';
  }
  return artifacts;
}

function check(artifacts, dir) {
  const differences = [];
  for (const [file, text] of Object.entries(artifacts)) {
    const path = join(dir, file);
    if (!existsSync(path)) differences.push(`${file}: missing`);
    else if (readFileSync(path, 'utf8') !== text) differences.push(`${file}: differs from a fresh compile`);
  }
  const committed = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  for (const file of committed) {
    if (!(file in artifacts)) differences.push(`${file}: no contract of that name is built any more`);
  }
  return differences;
}

const args = process.argv.slice(2);
const dirAt = args.indexOf('--dir');
const dir = dirAt === -1 ? ARTIFACTS : resolve(args[dirAt + 1]);
const { artifacts, version } = compile();
if (args.includes('--check')) {
  const differences = check(artifacts, dir);
  if (differences.length > 0) {
    console.error(`Artifacts in ${dir} are out of date; run \`npm run build\` and commit them:`);
    for (const line of differences) console.error(`  ${line}`);
    process.exit(1);
  }
  console.log(`${Object.keys(artifacts).length} artifacts match a fresh compile (solc ${version})`);
} else {
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(artifacts)) writeFileSync(join(dir, file), text);
  console.log(`wrote ${Object.keys(artifacts).length} artifacts to ${dir} (solc ${version})`);
}
