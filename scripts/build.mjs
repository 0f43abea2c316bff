#!/usr/bin/env node
// Builds dist/: every src file transpiled one-to-one (oclif loads dist/commands/*), plus
// dist/hot/<bundle>.cjs, one bundle per entry of bin/fast-path.json (the commands keepalived and
// dnsmasq spawn), so they parse one file, not fifty.
// Type checking is separate: `npm run typecheck`.
import {build} from 'esbuild'
import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'

const root = new URL('..', import.meta.url).pathname
const walk = (dir) => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))

if (process.argv.includes('--clean')) rmSync(join(root, 'dist'), {recursive: true, force: true})
await build({entryPoints: walk(join(root, 'src')), outdir: join(root, 'dist'), outbase: join(root, 'src'), format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning'})
// What `ha-tool --version` names: the package version and the commit this tree was built from
// ("-dirty" when it has uncommitted changes).
const git = (...a) => { try { return execFileSync('git', ['-C', root, ...a], {encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim() } catch { return '' } }
const commit = git('rev-parse', '--short=12', 'HEAD') || 'unknown'
const dirty = commit !== 'unknown' && git('status', '--porcelain', '--untracked-files=no') !== ''
const {version} = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
writeFileSync(join(root, 'dist/build-info.json'), `${JSON.stringify({version: `${version}+g${commit}${dirty ? '-dirty' : ''}`, commit: `${commit}${dirty ? '-dirty' : ''}`, builtAt: new Date().toISOString()})}\n`)
// The hot bundles: CommonJS (no ESM loader), one file each, nothing shared to resolve at run time.
const hot = join(root, 'dist/hot')
const buildId = `${Date.now().toString(36)}-${process.pid}`
rmSync(hot, {recursive: true, force: true})
// bin/fast-path.json maps each fast-path command to its bundle; the bundle's entry is generated:
// a table of the commands it holds (src/cli/commands/<id with - for space>.ts), run by runFastPath.
const {commands} = JSON.parse(readFileSync(join(root, 'bin/fast-path.json'), 'utf8'))
const camel = (id) => id.split(/[ -]/).map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('')
for (const name of [...new Set(Object.values(commands))]) {
  const ids = Object.keys(commands).filter((id) => commands[id] === name)
  const loaders = ids.map((id) => `  ${JSON.stringify(id)}: () => import('./src/cli/commands/${id.replaceAll(' ', '-')}.ts').then((m) => m.${camel(id)}Command),`)
  const contents = `import {runFastPath} from './src/cli/fast-path.ts'\nconst loaders = {\n${loaders.join('\n')}\n}\nexport const main = (id, argv) => runFastPath(loaders, id, argv)\n`
  await build({
    stdin: {contents, resolveDir: root, sourcefile: `hot-${name}.ts`, loader: 'ts'},
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
