#!/usr/bin/env node
// Regenerates oclif.manifest.json from a fresh build. With --check, fails (exit 1) when the
// committed manifest differs from the regenerated one: a stale manifest hides new commands.
import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const root = new URL('..', import.meta.url).pathname
const path = join(root, 'oclif.manifest.json')
const before = readFileSync(path, 'utf8')
const run = (cmd, args) => {
  const r = spawnSync(cmd, args, {cwd: root, stdio: ['ignore', 'inherit', 'inherit']})
  if (r.status !== 0) process.exit(r.status ?? 1)
}
run(process.execPath, [join(root, 'scripts/build.mjs'), '--clean'])
run(process.execPath, [join(root, 'node_modules/oclif/bin/run.js'), 'manifest'])
// oclif lists commands in the order the file system returns them, which differs between a fresh
// clone and a tree built many times: sort them, so the file only changes when a command does.
const manifest = JSON.parse(readFileSync(path, 'utf8'))
manifest.commands = Object.fromEntries(Object.keys(manifest.commands).sort().map((k) => [k, manifest.commands[k]]))
writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`)
if (process.argv.includes('--check')) {
  const after = readFileSync(path, 'utf8')
  if (after !== before) {
    console.error('oclif.manifest.json was stale: regenerated it; commit the new one (npm run manifest)')
    process.exit(1)
  }
  console.log('oclif.manifest.json is up to date')
}
