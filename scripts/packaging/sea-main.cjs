'use strict'
// The single executable's main script (scripts/package.mjs writes the command table in). It routes as bin/run.js
// does: a fast-path command (bin/fast-path.json) loads its own small bundle, everything else and --help the oclif
// bundle; pino, dbus-next and node-cron are one more bundle, loaded only when used. Each bundle is an asset of the
// executable with its V8 code cache beside it, made at build time by RUNNING the commands through this same file
// (HA_TOOL_SEA_TRAIN=DIR, outside the executable): a cache made by compiling alone holds only top-level code, and
// every function a run calls would still be compiled on every run. So the first run after a boot or an upgrade
// costs what every run costs, and nothing is read from or written to disk.
const vm = require('node:vm')
const sea = require('node:sea')

const FAST = /* FAST-PATH TABLE */ {}
const inSea = sea.isSea()
const trainDir = inSea ? undefined : process.env.HA_TOOL_SEA_TRAIN
const report = process.env.HA_TOOL_SEA_CACHE_REPORT === '1'
const loaded = new Map()

/** The module.exports of bundle `name` (`<name>.cjs`), compiled with `<name>.v8`. */
function load(name) {
  const done = loaded.get(name)
  if (done) return done.exports
  let source
  let cachedData
  if (inSea) {
    // The bundles are ASCII (esbuild escapes the rest): latin1 is the cheapest exact decoding.
    source = Buffer.from(sea.getRawAsset(`${name}.cjs`)).toString('latin1')
    cachedData = Buffer.from(sea.getRawAsset(`${name}.v8`))
  } else {
    if (!trainDir) throw new Error('sea-main.cjs runs inside the single executable, or with HA_TOOL_SEA_TRAIN=DIR to make its code caches')
    const fs = require('node:fs')
    source = fs.readFileSync(`${trainDir}/${name}.cjs`, 'latin1')
    try { cachedData = fs.readFileSync(`${trainDir}/${name}.v8`) } catch { /* the first training run */ }
  }
  // The same wrapper Node puts around a CommonJS file, on its own line so positions stay right.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {filename: `ha-tool:${name}.cjs`, lineOffset: -1, cachedData})
  if (report) process.stderr.write(`ha-tool sea: ${name} code cache ${cachedData === undefined ? 'absent' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`)
  // Training: after the run, the cache holds every function it compiled (and what the cache read in already held).
  if (trainDir) process.once('exit', () => require('node:fs').writeFileSync(`${trainDir}/${name}.v8`, script.createCachedData()))
  const mod = {exports: {}}
  loaded.set(name, mod)
  script.runInThisContext()(mod.exports, require, mod, `ha-tool:${name}.cjs`, '/')
  return mod.exports
}
// How the bundles reach the others (the lazy-require module of each bundle asks for `deps`).
globalThis[Symbol.for('ha-tool.sea.load')] = load

const argv = process.argv.slice(2)
const two = `${argv[0]} ${argv[1]}`
const id = Object.hasOwn(FAST, two) ? two : Object.hasOwn(FAST, argv[0] ?? '') ? argv[0] : undefined
if (id !== undefined && !argv.includes('--help') && !argv.includes('-h')) load(`hot-${FAST[id]}`).main(id, argv.slice(id.split(' ').length))
else load('oclif').main(argv)
