#!/usr/bin/env node
// Runs the test tiers (default: all) with node's test runner on the TypeScript sources, after a build
// (command tests spawn bin/run.js, which runs dist/). Prints `N passed, N failed, N skipped` last.
// Usage: node scripts/test.mjs [unit|app|integration|e2e ...] [--no-build]
//        node scripts/test.mjs test/integration/x.test.ts ... [--no-build]   (those files, one process each)
//
// Nothing may hang CI: each file runs as its own process (node runs the file's tests in it, no `--test`
// child between), in a process group of its own, with a wall-clock limit (HA_TOOL_TEST_FILE_LIMIT_S, default
// 600 s per file, twice that for the one-process tiers); past it the group is killed and the file counts as
// failed, loudly. --test-force-exit ends a file whose tests are done even if a stray handle (a child the test
// forgot) is still open; what the file left in its group is killed when it exits.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, readdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join, relative, resolve as resolvePath} from 'node:path'

const root = new URL('..', import.meta.url).pathname
const argv = process.argv.slice(2)
const named = argv.filter((a) => !a.startsWith('--'))
const paths = named.filter((a) => a.endsWith('.test.ts'))
const tiers = named.filter((a) => !a.endsWith('.test.ts'))
const chosen = paths.length > 0 ? ['files'] : tiers.length > 0 ? tiers : ['unit', 'app', 'integration', 'e2e']
const walk = (dir) => (existsSync(dir) ? readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [])) : [])
const fileLimitS = Number(process.env.HA_TOOL_TEST_FILE_LIMIT_S ?? 600)

if (!argv.includes('--no-build')) {
  const b = spawnSync(process.execPath, [join(root, 'scripts/build.mjs')], {stdio: 'inherit'})
  if (b.status !== 0) process.exit(b.status ?? 1)
}

const totals = {pass: 0, fail: 0, skipped: 0, cancelled: 0, todo: 0}
let current // the process group running now, ended with us on ^C or a CI cancel
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { try { if (current) process.kill(-current, 'SIGKILL') } catch {} process.exit(130) })

/**
 * One test process in a process group of its own. Resolves with its exit code (or 'limit' when killed)
 * and the spec reporter's closing counts (`ℹ pass N`), read off its output as it is passed through.
 */
function runTests(files, limitS) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [
      // The file itself, not `--test` (which would run it in a child of its own): its exit is the file's end.
      '--import', 'tsx', '--test-force-exit',
      '--test-reporter=spec', '--test-reporter-destination=stdout',
      ...files,
    ], {stdio: ['ignore', 'pipe', 'inherit'], cwd: root, env: {...process.env, HA_TOOL_ROOT: root}, detached: true})
    current = child.pid
    let tail = ''
    child.stdout.on('data', (d) => { process.stdout.write(d); tail = (tail + d.toString('utf8')).slice(-4096) })
    const counts = () => Object.fromEntries(Object.keys(totals).map((k) => [k, Number((new RegExp(`^ℹ ${k} (\\d+)$`, 'm').exec(tail) ?? [])[1] ?? 0)]))
    const timer = setTimeout(() => {
      console.log(`\n✖ ${files.map((f) => relative(root, f)).join(' ')}: still running after ${limitS} s; its process group is killed and it counts as failed`)
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
      resolve({status: 'limit', counts: counts()})
    }, limitS * 1000)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      // Whatever the file left in its group (a daemon it started and did not stop) goes with it, and with
      // it the stdout it may hold open; the output is complete once the pipe closes.
      try { process.kill(-child.pid, 'SIGKILL') } catch {}
      const done = () => resolve({status: code ?? (signal ? 1 : 0), counts: counts()})
      if (child.stdout.closed) done()
      else { child.stdout.once('close', done); setTimeout(done, 5000).unref() }
    })
  })
}

const scratch = mkdtempSync(join(tmpdir(), 'ha-tool-tiers-'))
try {
  for (const tier of chosen) {
    const files = tier === 'files' ? paths.map((p) => resolvePath(p)) : walk(join(root, 'test', tier)).sort()
    if (files.length === 0) { console.log(`# ${tier}: no test files`); continue }
    console.log(`\n# ${tier}: ${files.length} files`)
    // unit and app tests use fakes only: they run in one process, from one entry that imports every
    // file (tsx and the modules load once: 2.3 s instead of 4 s for app, 11 s instead of 15 s for
    // unit). The others run one file at a time, each in its own process group: they share fixed
    // namespace names, and one that hangs must not take the rest of the run with it.
    const inOne = tier === 'unit' || tier === 'app'
    const entry = join(scratch, `${tier}-all.test.ts`)
    if (inOne) writeFileSync(entry, files.map((f) => `import ${JSON.stringify(f)}\n`).join(''))
    const runs = inOne ? [[entry]] : files.map((f) => [f])
    for (const run of runs) {
      const {status, counts} = await runTests(run, inOne ? 2 * fileLimitS : fileLimitS)
      for (const key of Object.keys(totals)) totals[key] += counts[key]
      // A run killed at its limit, or a runner that failed with no failing test of its own, is one failure.
      if (status === 'limit' || (status !== 0 && counts.fail === 0 && counts.cancelled === 0)) totals.fail += 1
    }
  }
} finally {
  rmSync(scratch, {recursive: true, force: true})
}
const failed = totals.fail + totals.cancelled
console.log(`\n${totals.pass} passed, ${failed} failed, ${totals.skipped} skipped`)
process.exit(failed > 0 ? 1 : 0)
