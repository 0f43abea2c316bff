#!/usr/bin/env node
// `npm run package`: builds, under dist/package/,
//   ha-tool-linux-<arch>            one self-contained executable (a Node single executable application:
//                                   every command, oclif and the dependencies in one bundle, with its
//                                   V8 code cache inside; no node, node_modules or network needed)
//   ha-tool_<version>_<arch>.deb    the Debian package (scripts/packaging/build-deb)
// Usage: node scripts/package.mjs [--no-build] [--sea-only] [--deb-version V]
// The commit the tree was built from goes into `ha-tool --version` (dist/build-info.json).
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {arch as osArch} from 'node:os'
import {join, relative} from 'node:path'
import {build} from 'esbuild'

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '')
const args = process.argv.slice(2)
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined }
const out = join(root, 'dist/package')
const step = (what) => console.log(`package: ${what}`)
const sh = (cmd, argv, opts = {}) => {
  const r = spawnSync(cmd, argv, {cwd: root, stdio: ['ignore', 'inherit', 'inherit'], ...opts})
  if (r.status !== 0) { console.error(`package: ${cmd} ${argv.join(' ')} failed (${r.status ?? r.signal})`); process.exit(1) }
}

if (!args.includes('--no-build')) sh(process.execPath, [join(root, 'scripts/build.mjs')])
const info = JSON.parse(readFileSync(join(root, 'dist/build-info.json'), 'utf8'))
const pjson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
const debArch = {x64: 'amd64', arm64: 'arm64', arm: 'armhf', ia32: 'i386'}[osArch()] ?? osArch()
const seaName = `ha-tool-linux-${osArch()}`
rmSync(out, {recursive: true, force: true})
mkdirSync(out, {recursive: true})

// 1. One CommonJS bundle of everything. The entry and two modules are generated: the fast-path
//    loaders (bin/fast-path.json), the oclif command table (every file in src/commands), and a
//    lazyRequire that requires the bundled pino / dbus-next / node-cron instead of node_modules.
step('bundling')
const camel = (id) => id.split(/[ -]/).map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('')
const {commands: fast} = JSON.parse(readFileSync(join(root, 'bin/fast-path.json'), 'utf8'))
const walk = (dir) => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
const shims = walk(join(root, 'src/commands')).map((f) => ({file: f, id: relative(join(root, 'src/commands'), f).replace(/\.ts$/, '').replaceAll('/', ':')}))
const entry = `import {runSea} from './src/cli/sea.ts'
const fast = ${JSON.stringify(fast)}
const loaders = {
${Object.keys(fast).map((id) => `  ${JSON.stringify(id)}: () => import('./src/cli/commands/${id.replaceAll(' ', '-')}.ts').then((m) => m.${camel(id)}Command),`).join('\n')}
}
const pjson = ${JSON.stringify({...pjson, scripts: undefined, devDependencies: undefined})}
async function oclif(argv) {
  // oclif checks package.json's engines by require()ing it from disk when loaded: there is no such file here.
  process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
  const [{runOclif}, {COMMANDS}] = await Promise.all([import('./src/cli/sea-oclif.ts'), import('ha-tool:commands')])
  delete process.env.OCLIF_DISABLE_ENGINE_WARNING
  await runOclif(argv, {pjson, commands: COMMANDS, version: ${JSON.stringify(info.version)}})
}
runSea({fast, loaders, oclif}, process.argv.slice(2))
`
const virtual = {
  'ha-tool:commands': `${shims.map((s, i) => `import c${i} from ${JSON.stringify(s.file)}`).join('\n')}\nexport const COMMANDS = {${shims.map((s, i) => `${JSON.stringify(s.id)}: c${i}`).join(', ')}}\n`,
  'ha-tool:lazy-require': `export function lazyRequire(id) {
  switch (id) {
    case 'pino': return require('pino')
    case 'dbus-next': return require('dbus-next')
    case 'node-cron': return require('node-cron')
  }
  throw new Error('cannot load ' + id + ': not bundled into this executable')
}\n`,
}
const mainJs = join(out, 'ha-tool.cjs')
await build({
  stdin: {contents: entry, resolveDir: root, sourcefile: 'sea-entry.ts', loader: 'ts'},
  outfile: mainJs,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Optional in dbus-next (abstract sockets, X11 session bus): not installed, so not bundled; it copes.
  // typescript and ts-node: oclif uses them only for a development checkout with a tsconfig.json.
  external: ['usocket', 'x11', 'typescript', 'ts-node'],
  banner: {js: 'const __import_meta_url = require("node:url").pathToFileURL(process.execPath).href;'},
  define: {'import.meta.url': '__import_meta_url', __HA_TOOL_BUILD__: JSON.stringify(`sea-${info.commit}-${info.builtAt}`)},
  logLevel: 'warning',
  plugins: [{
    name: 'ha-tool-sea',
    setup(b) {
      b.onResolve({filter: /^ha-tool:/}, (a) => ({path: a.path, namespace: 'ha-tool'}))
      b.onResolve({filter: /\/lazy-require\.js$/}, () => ({path: 'ha-tool:lazy-require', namespace: 'ha-tool'}))
      b.onLoad({filter: /.*/, namespace: 'ha-tool'}, (a) => ({contents: virtual[a.path], loader: 'ts', resolveDir: root}))
    },
  }],
})

// 2. The single executable: a copy of this node with the bundle (and its code cache) injected.
step(`single executable ${seaName}`)
const blob = join(out, 'sea-prep.blob')
const seaConfig = join(out, 'sea-config.json')
writeFileSync(seaConfig, JSON.stringify({main: mainJs, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true}))
sh(process.execPath, ['--experimental-sea-config', seaConfig], {stdio: ['ignore', 'ignore', 'inherit']})
const sea = join(out, seaName)
// Built under a temporary name and renamed only once it answers as ha-tool: an interrupted or
// failed injection must not leave a plain node copy under the final name (the bench and the
// tests reuse an existing executable).
const partial = `${sea}.partial`
rmSync(sea, {force: true})
copyFileSync(process.execPath, partial)
chmodSync(partial, 0o755)
// Some node builds (NodeSource's) carry their symbol tables and debug info: ~10% of the file, of no
// use to a gateway. Stripped before the bundle goes in (postject adds a note strip would not keep).
sh('strip', ['--strip-unneeded', partial])
sh(join(root, 'node_modules/.bin/postject'), [partial, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2'], {stdio: ['ignore', 'ignore', 'inherit']})
rmSync(blob)
rmSync(seaConfig)
const v = execFileSync(partial, ['--version'], {encoding: 'utf8', cwd: '/', env: {PATH: '/nonexistent'}}).trim()
if (!v.startsWith('ha-tool/')) { console.error(`package: ${partial} answers --version with ${JSON.stringify(v)}, not ha-tool: the bundle is not in it`); process.exit(1) }
renameSync(partial, sea)
step(`${seaName}: ${(statSync(sea).size / 1e6).toFixed(1)} MB, --version: ${v}`)

if (!args.includes('--sea-only')) {
  step('Debian package')
  sh('bash', [join(root, 'scripts/packaging/build-deb'), '--out', out, '--sea', sea, '--version', opt('--deb-version') ?? pjson.version, '--arch', debArch])
}
