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
// The hot bundles: CommonJS (no ESM loader), one file each, nothing shared to resolve at run time.
const hot = join(root, 'dist/hot')
const buildId = `${Date.now().toString(36)}-${process.pid}`
rmSync(hot, {recursive: true, force: true})
for (const name of ['notify', 'check', 'leases']) {
  await build({
    entryPoints: [join(root, `src/cli/hot/${name}-main.ts`)],
    outfile: join(hot, `${name}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    // import.meta.url does not exist in CommonJS: give it this file's URL.
    banner: {js: 'const __import_meta_url = require("node:url").pathToFileURL(__filename).href;'},
    define: {'import.meta.url': '__import_meta_url', __HA_TOOL_BUILD__: JSON.stringify(buildId)},
    // Smaller source parses faster: ~2 ms of a ~40 ms run. Errors carry their own messages.
    minify: process.env.HA_TOOL_NO_MINIFY !== "1",
    // Loaded lazily, only when used: keep them out of the bundle so the common path never parses them.
    external: ['pino', 'dbus-next', 'node-cron', '@oclif/core', 'usocket', 'x11'],
    logLevel: 'warning',
  })
}
