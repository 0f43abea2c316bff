import {type DoctorCheck, fail, pass, warn} from './types.js'

const TMPFILES_DIRS = ['/etc/tmpfiles.d', '/run/tmpfiles.d', '/usr/lib/tmpfiles.d']

/**
 * state.dir (state file, lock, track_file) must exist before keepalived starts: keepalived
 * drops a track_file whose directory is missing at its start. /run is empty at boot, so a
 * tmpfiles.d entry must create it.
 */
export const stateDir: DoctorCheck = {
  id: 'state-dir',
  title: 'state.dir is created at boot, before keepalived',
  run(ctx) {
    const dir = ctx.config.state.dir
    const entry = TMPFILES_DIRS.flatMap((d) => ctx.fs.list(d).filter((n) => n.endsWith('.conf')).map((n) => `${d}/${n}`))
      .map((path) => ({path, line: (ctx.fs.read(path) ?? '').split('\n').find((l) => {
        const [type, p] = l.trim().split(/\s+/)
        return /^[dDv]!?$/.test(type ?? '') && p === dir
      })}))
      .find((x) => x.line)
    const st = ctx.fs.stat(dir)
    const volatile = dir === '/run' || dir.startsWith('/run/') || dir.startsWith('/var/run/')
    if (!entry && volatile) return fail(`no tmpfiles.d entry creates ${dir}: after a reboot it is missing when keepalived starts, and keepalived drops the track_file for good`, `install with scripts/install, or write "d ${dir} 0755 root root -" to /etc/tmpfiles.d/ha-tool.conf`)
    if (!st) return fail(`${dir} does not exist now`, `systemd-tmpfiles --create${entry ? ` ${entry.path}` : ''} (or mkdir -p ${dir})`)
    if (st.kind !== 'dir') return fail(`${dir} is not a directory`, `remove it and run systemd-tmpfiles --create`)
    if (!entry) return warn(`${dir} exists, with no tmpfiles.d entry (not under /run, so it survives reboots)`, `write "d ${dir} 0755 root root -" to /etc/tmpfiles.d/ha-tool.conf`)
    return pass(`${dir} exists; created at boot by ${entry.path}`)
  },
}
