#!/usr/bin/env node
// Builds dist/: every src file transpiled one-to-one (oclif loads dist/commands/*), plus
// dist/hot/, a bundle of the fast path keepalived runs, so check/notify parse one file, not fifty.
// Type checking is separate: `npm run typecheck`.
import {build} from 'esbuild'
import {readdirSync, rmSync} from 'node:fs'
import {join} from 'node:path'

const root = new URL('..', import.meta.url).pathname
const walk = (dir) => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

if (process.argv.includes('--clean')) rmSync(join(root, 'dist'), {recursive: true, force: true})
await build({entryPoints: walk(join(root, 'src')), outdir: join(root, 'dist'), outbase: join(root, 'src'), format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning'})
await build({
  entryPoints: {index: join(root, 'src/cli/hot.ts')},
  outdir: join(root, 'dist/hot'),
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Loaded lazily, only when used: keep them out of the bundle so the common path never parses them.
  external: ['pino', 'dbus-next', 'node-cron', '@oclif/core', 'usocket', 'x11'],
  logLevel: 'warning',
})
