#!/usr/bin/env node
'use strict'
// keepalived and dnsmasq spawn the commands listed in fast-path.json on every interval, transition
// and lease change: they load one CommonJS bundle (dist/hot/<bundle>.cjs) and never oclif.
// Everything else, and their --help, goes to oclif. This file is CommonJS (bin/package.json)
// because the ESM loader alone costs ~4 ms.
const {join} = require('node:path')
const argv = process.argv.slice(2)
// Read, not require()d: a JSON require costs ~1 ms here (the loader's resolution), the read 0.03 ms.
const {commands, v8Flags} = JSON.parse(require('node:fs').readFileSync(join(__dirname, 'fast-path.json'), 'utf8'))
const two = `${argv[0]} ${argv[1]}`
const id = Object.hasOwn(commands, two) ? two : Object.hasOwn(commands, argv[0] ?? '') ? argv[0] : undefined
if (id !== undefined && !argv.includes('--help') && !argv.includes('-h')) {
  const bundle = commands[id]
  // Before the bundle is compiled: V8 takes a code cache only under the flags it was made with.
  const flags = v8Flags?.[id] ?? ''
  if (flags !== '') require('node:v8').setFlagsFromString(flags)
  loadHot(bundle, join(__dirname, '..', 'dist', 'hot', `${bundle}.cjs`), flags).main(id, argv.slice(id.split(' ').length))
} else {
  // The commands are ES modules and load pino, dbus-next and node-cron only when used, through
  // process.getBuiltinModule (src/adapters/lazy-require.ts), which Node has from 20.16 on. Older
  // Node 20 gets the same function here, where require exists.
  if (typeof process.getBuiltinModule !== 'function') process.getBuiltinModule = (id) => require(id)
  // --version names the commit the build came from (dist/build-info.json, written by the build).
  const root = join(__dirname, '..')
  let version
  try { version = require('../dist/build-info.json').version } catch { /* a tree built before build-info existed */ }
  require('@oclif/core').execute({loadOptions: {root, version}}).catch(require('@oclif/core').handle)
}

/**
 * require() of a hot bundle through V8's code cache: parsing and compiling the bundle is the
 * largest cost of a hot run after Node itself. Two caches, the first found is used:
 * - in the cache directory (/run), written after a run that had none (so it holds the functions
 *   that run actually compiled), under a name made of the bundle's identity (inode, size, mtime,
 *   ctime), because V8 checks only the source's length;
 * - beside the bundle, `<bundle>.<size>-<mtime>.v8`, made when the program was installed by
 *   running the commands (scripts/train-code-cache.mjs, HA_TOOL_CODE_CACHE_TRAIN=1): so the first
 *   run after a boot or an upgrade, before /run has one, is not the slow one. When V8 takes it,
 *   nothing is written to /run; when it does not (node was upgraded since), /run gets its own.
 * It is bytecode that runs as root: a cache is used only when this user owns it and its
 * directory and nobody else can write either. Anything wrong with it just means a normal
 * compile. HA_TOOL_CODE_CACHE=0 turns both off.
 */
function loadHot(name, file, flags) {
  const fs = require('node:fs')
  const vm = require('node:vm')
  const dir = process.env.HA_TOOL_CACHE_DIR ?? '/run/ha-tool/.config-cache'
  const fd = fs.openSync(file, 'r')
  const st = fs.fstatSync(fd, {bigint: true})
  const source = fs.readFileSync(fd, 'utf8')
  fs.closeSync(fd)
  let off = process.env.HA_TOOL_CODE_CACHE === '0'
  const train = !off && process.env.HA_TOOL_CODE_CACHE_TRAIN === '1'
  const shipped = `${file.replace(/\.cjs$/, '')}.${st.size}-${st.mtimeNs}.v8`
  // One name per installed copy and per Node version and flags (V8 rejects a cache made under
  // others: without this, two callers with different NODE_OPTIONS, or two commands of one bundle
  // with different fast-path v8Flags, would rewrite it in turn), then the identity of this build
  // of the bundle. The cache beside the bundle is trained by `leases merge` among others: a
  // command of another flag set finds it rejected and makes its own here.
  const copy = `${file}\0${process.version}\0${process.execArgv.join(' ')}\0${process.env.NODE_OPTIONS ?? ''}${flags ? `\0${flags}` : ''}`
  let h = 0x811c9dc5
  for (let i = 0; i < copy.length; i++) h = Math.imul(h ^ copy.charCodeAt(i), 0x01000193)
  const prefix = `${dir}/${name}-${(h >>> 0).toString(16)}-`
  const cacheFile = `${prefix}${st.dev}-${st.ino}-${st.size}-${st.mtimeNs}-${st.ctimeNs}.v8`
  // A real directory (not a symlink) of this user that nobody else can write (HA_TOOL_CACHE_DIR
  // is honoured as root).
  const dirOk = (d) => {
    try {
      const s = fs.lstatSync(d)
      return s.isDirectory() && s.uid === process.getuid() && (s.mode & 0o022) === 0
    } catch { return false }
  }
  // The file's contents when this user owns it and nobody else can write it.
  const readOwned = (path) => {
    try {
      const cfd = fs.openSync(path, 'r')
      try {
        const c = fs.fstatSync(cfd)
        if (c.uid === process.getuid() && (c.mode & 0o022) === 0) return fs.readFileSync(cfd)
      } finally {
        fs.closeSync(cfd)
      }
    } catch { /* none */ }
    return undefined
  }
  if (!off && !dir.startsWith('/')) off = true
  let cachedData
  if (!off && !train && dirOk(dir)) cachedData = readOwned(cacheFile)
  if (!off && cachedData === undefined && dirOk(join(file, '..'))) cachedData = readOwned(shipped)
  // The same wrapper Node puts around a CommonJS file, on its own line so positions stay right.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {\n${source}\n})`, {
    filename: file,
    lineOffset: -1,
    cachedData,
    importModuleDynamically: vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  })
  if (train) {
    // After the run the cache holds every function it compiled and what the cache read in held.
    process.once('exit', () => writeAtomic(fs, shipped, () => script.createCachedData(), 0o644))
  } else if (!off && (cachedData === undefined || script.cachedDataRejected)) {
    process.once('exit', () => {
      // Not recursive: the parent (state.dir) is made at boot, and Node 20's recursive mkdir
      // never returns for a path under /proc.
      try { fs.mkdirSync(dir, {mode: 0o700}) } catch (e) { if (e.code !== 'EEXIST') return }
      if (!dirOk(dir) || !writeAtomic(fs, cacheFile, () => script.createCachedData(), 0o600)) return
      // Caches of earlier builds of this copy are dead weight, and so are temp files of runs
      // killed while writing one (a concurrent writer whose temp file goes just writes none).
      try {
        for (const f of fs.readdirSync(dir)) {
          const path = `${dir}/${f}`
          if (path.startsWith(prefix) && path !== cacheFile && (f.endsWith('.v8') || f.endsWith('.tmp'))) fs.unlinkSync(path)
        }
      } catch { /* the next writer tidies up */ }
    })
  }
  const mod = {exports: {}}
  script.runInThisContext()(mod.exports, module.constructor.createRequire(file), mod, file, join(file, '..'))
  return mod.exports
}

/** Writes `path` through a temp file and a rename; false when it could not. */
function writeAtomic(fs, path, data, mode) {
  const tmp = `${path}.${process.pid}.tmp`
  try {
    fs.writeFileSync(tmp, data(), {mode, flag: 'wx'})
    fs.renameSync(tmp, path)
    return true
  } catch {
    try { fs.unlinkSync(tmp) } catch { /* never written */ }
    return false
  }
}
