import {scriptSecurityProblems} from '../../core/doctor/script-security.js'
import {resolveChain} from './binary-security.js'
import type {DoctorContext} from './context.js'
import {type DoctorCheck, fail, pass, skip, warn} from './types.js'

/**
 * The program that runs ha-tool's JavaScript must pass keepalived's script-security rule as the
 * script itself does: a node found through PATH (`#!/usr/bin/env node`) or under a directory a
 * non-root user can write lets that user run code as root. Checks the installed binary's `#!`
 * line (doctor.binary) and, on the live node, the node binary running doctor now.
 */
export const interpreterChain: DoctorCheck = {
  id: 'interpreter',
  title: 'the interpreter ha-tool runs on passes keepalived\'s script security',
  run(ctx) {
    const problems: string[] = []
    const fixes: string[] = []
    const checked: string[] = []
    let lookedUp: string | undefined
    const binary = ctx.config.doctor.binary
    const head = ctx.fs.read(binary)?.slice(0, 256).split('\n')[0]
    const interpreters = new Set<string>()
    if (head?.startsWith('#!')) {
      const [prog] = head.slice(2).trim().split(/\s+/)
      if (prog.endsWith('/env')) {
        lookedUp = `${binary} starts with "${head}": node is looked up on keepalived's PATH (systemd's puts /usr/local first, root:staff 2775 on Debian)`
      } else {
        interpreters.add(prog)
      }
    }
    if (ctx.deps.live) interpreters.add(process.execPath)
    if (head === undefined && !ctx.deps.live) return skip(`${binary} not found (under --root) and not the live node`)
    for (const path of interpreters) {
      const {chain, missing} = resolveChain(ctx, path)
      checked.push(path)
      if (missing) { problems.push(`${missing}: not found`); fixes.push('install nodejs from the distribution (/usr/bin/node)'); continue }
      for (const p of scriptSecurityProblems(chain)) { problems.push(`${p.path}: ${p.problem}`); fixes.push(p.fix) }
    }
    if (problems.length > 0) return fail(`interpreter: ${[...problems, ...(lookedUp ? [lookedUp] : [])].join('; ')}`, [...new Set(fixes)].join(' && '))
    if (lookedUp) return warn(lookedUp, 'reinstall with scripts/install (it writes the absolute interpreter path), or make the first line #!/usr/bin/node')
    return pass(`${checked.join(', ') || binary}: every component root-owned and not writable by others${head?.startsWith('#!') ? '' : ` (${binary} needs no interpreter)`}`)
  },
}

/**
 * The directories ha-tool keeps root's files in: state.dir (the node lock, state file,
 * track_file) must be root's and not group/other-writable, or a local user could take the lock
 * or plant files; log.file's directory likewise; and with link_via = "networkd" the drop-in
 * directory must be readable by systemd-network (a 0700 one, as keepalived's umask 0177 makes
 * without an explicit mode, leaves the WAN unmanaged).
 */
export const directoryModes: DoctorCheck = {
  id: 'directory-modes',
  title: 'state, lock and log directories are root\'s alone; the networkd drop-in directory is readable',
  run(ctx) {
    const problems: string[] = []
    const fixes: string[] = []
    const ok: string[] = []
    const rootOnly = (dir: string, what: string) => {
      const st = ctx.fs.lstat(dir)
      if (!st) return
      const mode = (st.mode & 0o7777).toString(8).padStart(4, '0')
      if (st.kind !== 'dir') { problems.push(`${what} ${dir} is ${st.kind === 'symlink' ? 'a symlink' : 'not a directory'}`); fixes.push(`make ${dir} a real directory`); return }
      if (st.uid !== 0) { problems.push(`${what} ${dir} is owned by uid ${st.uid}`); fixes.push(`chown root:root ${dir}`) }
      if ((st.mode & 0o022) !== 0) { problems.push(`${what} ${dir} is writable by ${(st.mode & 0o020) !== 0 ? 'its group' : 'others'} (mode ${mode}): a local user could ${what === 'state.dir' ? 'take the node lock' : 'plant files there'}`); fixes.push(`chmod go-w ${dir}`) }
      if (problems.length === 0) ok.push(`${dir} ${mode}`)
    }
    rootOnly(ctx.config.state.dir, 'state.dir')
    const log = ctx.config.log.file
    if (log) rootOnly(log.slice(0, log.lastIndexOf('/')) || '/', 'log.file\'s directory')
    if (ctx.config.wan.link_via === 'networkd') {
      const dir = ctx.config.wan.networkd_runtime_dir
      for (const name of ctx.fs.list(dir).filter((n) => n.endsWith('.network.d'))) {
        const st = ctx.fs.lstat(`${dir}/${name}`)
        if (st && st.kind === 'dir' && (st.mode & 0o005) !== 0o005) {
          problems.push(`${dir}/${name} is mode ${(st.mode & 0o7777).toString(8).padStart(4, '0')}: systemd-network cannot read the drop-in`)
          fixes.push(`chmod 0755 ${dir}/${name}`)
        }
      }
    }
    if (problems.length > 0) return fail(problems.join('; '), [...new Set(fixes)].join(' && '))
    if (ok.length === 0) return skip(`${ctx.config.state.dir} does not exist yet (see the state-dir check)`)
    return pass(ok.join(', '))
  },
}

/** The node lock (<state.dir>/lock) can be taken: its name is free, or held by a live holder. */
export const nodeLock: DoctorCheck = {
  id: 'lock',
  title: 'the node lock is root\'s and not left stale',
  run(ctx) {
    const path = `${ctx.config.state.dir}/lock`
    const st = ctx.fs.lstat(path)
    if (!st) return pass(`${path}: free`)
    if (st.uid !== 0) return fail(`${path} is owned by uid ${st.uid}: not made by ha-tool`, `rm ${path}, then check who can write ${ctx.config.state.dir}`)
    if (st.kind !== 'other') return warn(`${path} is a ${st.kind}, not a socket: the next transition removes it as stale`, `rm ${path}`)
    return pass(`${path}: a socket of root's (held by a running ha-tool, or left by one that was killed: the next transition recovers it)`)
  },
}

/** The WAN interface exists: without it a BACKUP cannot be silenced nor a MASTER routed (notify exits 3 or 1). */
export const wanLink: DoctorCheck = {
  id: 'wan-link',
  title: 'the WAN interface exists',
  async run(ctx: DoctorContext) {
    const wan = ctx.config.wan.interface
    if (!ctx.deps.live) return skip('not the live node (--root): links are a run-time fact')
    const r = await ctx.deps.exec(['ip', '-j', 'link', 'show', 'dev', wan], {timeoutMs: 5000})
    if (r.code === 0) return pass(`${wan} exists`)
    return fail(`WAN interface ${wan} does not exist (${r.stderr.trim() || `ip exit ${r.code}`}): notify BACKUP cannot silence it, MASTER cannot route out of it`, `fix wan.interface (see \`ip link\`)`)
  },
}
