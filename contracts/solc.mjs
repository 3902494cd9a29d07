#!/usr/bin/env node
// The pinned solc-js (npm `solc`, package.json) as a standard-JSON `solc` executable, so that every
// tool compiles with the one compiler the repository pins and nothing is ever downloaded:
// contracts/build.mjs (the committed artifacts), forge (foundry.toml `solc = ...`) and slither
// (through forge) all run this file.
//
//   contracts/solc.mjs --version
//   contracts/solc.mjs --standard-json [--base-path DIR] [--include-path DIR]... [--allow-paths A,B]
//                      [other flags solc accepts and that change nothing here] < input.json
//
// It uses the JS API, `solc.compile(input, {import})`: the `solcjs` command line prints a notice into
// the middle of its JSON output. Standard output carries the compiler's JSON and nothing else;
// anything the compiler module itself would print goes to standard error. Like solc, it exits 0
// when the input was compiled, errors included (they are in the JSON), and non-zero only when it
// could not run at all (bad arguments, unreadable input).
//
// Imports the input does not already contain are read from the base path (default: the working
// directory) and then from each include path, and only from inside those directories and the
// allowed paths, as solc's own file reader does.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, relative, resolve, sep } from 'node:path';

const require = createRequire(import.meta.url);

function usage(message) {
  process.stderr.write(`contracts/solc.mjs: ${message}\n`);
  process.stderr.write('usage: contracts/solc.mjs --version | --standard-json [--base-path DIR] [--include-path DIR]\n');
  process.exit(2);
}

// Flags real solc accepts alongside --standard-json that carry no meaning for solc-js here.
const IGNORED_FLAGS = new Set(['--no-import-callback', '--pretty-json', '--json-indent']);
const VALUED_FLAGS = new Set(['--base-path', '--include-path', '--allow-paths']);

function parseArgs(argv) {
  const options = { mode: null, basePath: process.cwd(), includePaths: [], allowPaths: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (flag === '--version' || flag === '--standard-json') {
      options.mode = flag;
    } else if (VALUED_FLAGS.has(flag)) {
      const value = inline ?? argv[(i += 1)];
      if (value === undefined) usage(`${flag} needs a value`);
      if (flag === '--base-path') options.basePath = resolve(value);
      else if (flag === '--include-path') options.includePaths.push(resolve(value));
      else options.allowPaths.push(...value.split(',').filter(Boolean).map((p) => resolve(p)));
    } else if (IGNORED_FLAGS.has(flag)) {
      if (flag === '--json-indent' && inline === undefined && /^\d+$/.test(argv[i + 1] ?? '')) i += 1;
    } else {
      usage(`unsupported argument ${JSON.stringify(arg)}`);
    }
  }
  if (!options.mode) usage('give --version or --standard-json');
  return options;
}

function inside(path, directory) {
  const rel = relative(directory, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel) && !rel.startsWith(sep));
}

function importReader(options) {
  const roots = [options.basePath, ...options.includePaths];
  const allowed = [...roots, ...options.allowPaths];
  return (unit) => {
    for (const root of roots) {
      const path = isAbsolute(unit) ? unit : resolve(root, unit);
      if (!existsSync(path)) continue;
      const real = realpathSync(path);
      if (!allowed.some((dir) => inside(real, dir) || inside(path, dir))) {
        return { error: `import outside the base, include and allowed paths: ${unit}` };
      }
      return { contents: readFileSync(path, 'utf8') };
    }
    return { error: `import not found: ${unit} (looked in ${roots.join(', ')})` };
  };
}

// Whatever the compiler module writes to standard output while loaded or compiling goes to
// standard error, so that standard output is the JSON alone.
function withStdoutToStderr(work) {
  const write = process.stdout.write.bind(process.stdout);
  const log = console.log;
  process.stdout.write = (chunk, ...rest) => process.stderr.write(chunk, ...rest);
  console.log = (...args) => console.error(...args);
  try {
    return work();
  } finally {
    process.stdout.write = write;
    console.log = log;
  }
}

import { appendFileSync } from 'node:fs'; appendFileSync('/tmp/solcargs.log', JSON.stringify(process.argv.slice(2)) + '\n');
const options = parseArgs(process.argv.slice(2));
const solc = withStdoutToStderr(() => require('solc'));
if (options.mode === '--version') {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else {
  let input;
  try {
    input = readFileSync(0, 'utf8');
  } catch (error) {
    usage(`cannot read the standard-JSON input from stdin: ${error.message}`);
  }
  const output = withStdoutToStderr(() => solc.compile(input, { import: importReader(options) }));
  process.stdout.write(output.endsWith('\n') ? output : `${output}\n`);
}
