#!/usr/bin/env node
// `npm run package`: builds, under dist/package/,
//   ha-tool-linux-<arch>            one self-contained executable (a Node single executable application:
//                                   every command, oclif and the dependencies, as bundles with their V8 code
//                                   caches made by running the commands at build time; no node, node_modules,
//                                   network or cache directory needed)
//   ha-tool_<version>_<arch>.deb    the Debian package (scripts/packaging/build-deb)
// Usage: node scripts/package.mjs [--no-build] [--sea-only] [--deb-version V]
// The commit the tree was built from goes into `ha-tool --version` (dist/build-info.json).
import {execFileSync, spawnSync} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs'
import {arch as osArch} from 'node:os'
import {join, relative} from 'node:path'
import {build} from 'esbuild'
import {runTrainingSet} from './packaging/training-runs.mjs'

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

// 1. The bundles, CommonJS, each an asset of the executable (scripts/packaging/sea-main.cjs loads them):
//    hot-<bundle>  per bin/fast-path.json bundle, the same entry as scripts/build.mjs's dist/hot/<bundle>.cjs
//    oclif         every other command and --help: oclif with an explicit command table (every file in src/commands)
//    deps          pino, dbus-next and node-cron, which the others load (lazyRequire) only when used
step('bundling')
const camel = (id) => id.split(/[ -]/).map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1))).join('')
const {commands: fast} = JSON.parse(readFileSync(join(root, 'bin/fast-path.json'), 'utf8'))
const walk = (dir) => readdirSync(dir, {withFileTypes: true}).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []))
const shims = walk(join(root, 'src/commands')).map((f) => ({file: f, id: relative(join(root, 'src/commands'), f).replace(/\.ts$/, '').replaceAll('/', ':')}))
const entries = {}
for (const name of [...new Set(Object.values(fast))]) {
  const ids = Object.keys(fast).filter((id) => fast[id] === name)
  entries[`hot-${name}`] = `import {runFastPath} from './src/cli/fast-path.ts'
const loaders = {
${ids.map((id) => `  ${JSON.stringify(id)}: () => import('./src/cli/commands/${id.replaceAll(' ', '-')}.ts').then((m) => m.${camel(id)}Command),`).join('\n')}
}
export const main = (id, argv) => runFastPath(loaders, id, argv)
`
}
entries.oclif = `const pjson = ${JSON.stringify({...pjson, scripts: undefined, devDependencies: undefined})}
export async function main(argv) {
  // oclif checks package.json's engines by require()ing it from disk when loaded: there is no such file here.
  process.env.OCLIF_DISABLE_ENGINE_WARNING = '1'
  const [{runOclif}, {COMMANDS}] = await Promise.all([import('./src/cli/sea-oclif.ts'), import('ha-tool:commands')])
  delete process.env.OCLIF_DISABLE_ENGINE_WARNING
  await runOclif(argv, {pjson, commands: COMMANDS, version: ${JSON.stringify(info.version)}})
}
`
entries.deps = `export function load(id) {
  switch (id) {
    case 'pino': return require('pino')
    case 'dbus-next': return require('dbus-next')
    case 'node-cron': return require('node-cron')
  }
  throw new Error('cannot load ' + id + ': not bundled into this executable')
}
`
const virtual = {
  'ha-tool:commands': `${shims.map((s, i) => `import c${i} from ${JSON.stringify(s.file)}`).join('\n')}\nexport const COMMANDS = {${shims.map((s, i) => `${JSON.stringify(s.id)}: c${i}`).join(', ')}}\n`,
  'ha-tool:lazy-require': `export function lazyRequire(id) { return globalThis[Symbol.for('ha-tool.sea.load')]('deps').load(id) }\n`,
}
const assets = join(out, 'sea-assets')
mkdirSync(assets)
for (const [name, contents] of Object.entries(entries)) {
  await build({
    stdin: {contents, resolveDir: root, sourcefile: `sea-${name}.ts`, loader: 'ts'},
    outfile: join(assets, `${name}.cjs`),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    minify: true,
    charset: 'ascii', // sea-main.cjs decodes the bundles as latin1
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
}
const mainJs = join(out, 'sea-main.cjs')
const mainSrc = readFileSync(join(root, 'scripts/packaging/sea-main.cjs'), 'utf8')
if (!mainSrc.includes('/* FAST-PATH TABLE */ {}')) { console.error('package: scripts/packaging/sea-main.cjs has no /* FAST-PATH TABLE */ {} to fill in'); process.exit(1) }
writeFileSync(mainJs, mainSrc.replace('/* FAST-PATH TABLE */ {}', JSON.stringify(fast)))

// 2. The code caches: the commands keepalived and dnsmasq run, run through sea-main.cjs by this node (the
//    executable is a copy of it: the same V8, which accepts only its own caches), each run adding what it compiled.
step('code caches (training runs)')
train(mainJs, assets)

// 3. The single executable: a copy of this node with the main script and the assets injected.
step(`single executable ${seaName}`)
const blob = join(out, 'sea-prep.blob')
const seaConfig = join(out, 'sea-config.json')
const assetMap = Object.fromEntries(readdirSync(assets).map((f) => [f, join(assets, f)]))
writeFileSync(seaConfig, JSON.stringify({main: mainJs, output: blob, disableExperimentalSEAWarning: true, useCodeCache: true, assets: assetMap}))
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
// Every bundle's cache must be one this executable takes (a rejected cache still runs, at the cost of compiling).
for (const [name, argv] of [['oclif', ['--version']], ...Object.values(fast).map((b) => [`hot-${b}`, [Object.keys(fast).find((id) => fast[id] === b).split(' '), '--config', '/nonexistent'].flat()])]) {
  const said = spawnSync(partial, argv, {encoding: 'utf8', cwd: '/', env: {PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HA_TOOL_SEA_CACHE_REPORT: '1'}}).stderr
  if (!said.includes(`ha-tool sea: ${name} code cache accepted`)) { console.error(`package: ${partial} does not take its code cache for ${name} (${argv.join(' ')}): ${said.trim()}`); process.exit(1) }
}
renameSync(partial, sea)
rmSync(assets, {recursive: true})
rmSync(mainJs)
step(`${seaName}: ${(statSync(sea).size / 1e6).toFixed(1)} MB, --version: ${v}`)

/**
 * Runs each fast-path command (and --version, --help, a config example for the oclif bundle) through sea-main.cjs
 * with HA_TOOL_SEA_TRAIN=dir: every run reads the bundle's cache so far and writes it back with what it compiled
 * (scripts/packaging/training-runs.mjs).
 */
function train(main, dir) {
  try {
    if (!runTrainingSet({prefix: [process.execPath, main], env: {HA_TOOL_SEA_TRAIN: dir}, oclif: true, parent: join(dir, '..')})) {
      step('not root: notify trained only up to its config (the first runs of notify compile the rest)')
    }
  } catch (error) {
    console.error(`package: ${error.message}`)
    process.exit(1)
  }
  for (const name of Object.keys(entries)) {
    if (!existsSync(join(dir, `${name}.v8`))) { console.error(`package: no code cache was made for ${name}`); process.exit(1) }
  }
}

if (!args.includes('--sea-only')) {
  step('Debian package')
  sh('bash', [join(root, 'scripts/packaging/build-deb'), '--out', out, '--sea', sea, '--version', opt('--deb-version') ?? pjson.version, '--arch', debArch])
}
