#!/usr/bin/env node
// Makes the V8 code caches of the Node program's hot bundles, beside them in dist/hot
// (`<bundle>.<size>-<mtime>.v8`, read by bin/run.js), by running the hot commands through
// bin/run.js with HA_TOOL_CODE_CACHE_TRAIN=1 (scripts/packaging/training-runs.mjs). With them the
// first `check` or `notify` after a boot or an upgrade, before /run has a cache of its own, costs
// what every later run costs. Run by scripts/install on the copy it installs, with the node that
// will run it (V8 takes a cache only from its own version and flags), and by the start-up bench.
// Usage: node scripts/train-code-cache.mjs [PROGRAM_DIR]   (default: this checkout)
import {readdirSync, readFileSync, rmSync} from 'node:fs'
import {join, resolve} from 'node:path'
import {runTrainingSet} from './packaging/training-runs.mjs'

const dir = resolve(process.argv[2] ?? new URL('..', import.meta.url).pathname)
const hot = join(dir, 'dist/hot')
const bundles = [...new Set(Object.values(JSON.parse(readFileSync(join(dir, 'bin/fast-path.json'), 'utf8')).commands))]
// A fresh start: caches of an earlier training of these very files would only be added to.
for (const f of readdirSync(hot)) if (f.endsWith('.v8')) rmSync(join(hot, f))
const full = runTrainingSet({prefix: [process.execPath, join(dir, 'bin/run.js')], env: {HA_TOOL_CODE_CACHE_TRAIN: '1'}})
const made = readdirSync(hot).filter((f) => f.endsWith('.v8'))
const missing = bundles.filter((b) => !made.some((f) => f.startsWith(`${b}.`)))
if (missing.length > 0) {
  console.error(`train-code-cache: no code cache was made for ${missing.join(', ')} in ${hot}`)
  process.exit(1)
}
console.log(`train-code-cache: ${made.join(', ')} in ${hot}${full ? '' : ' (not root: notify trained only up to its config)'}`)
