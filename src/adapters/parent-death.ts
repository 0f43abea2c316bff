import {existsSync} from 'node:fs'
import {SAFE_PATH} from './safe-path.js'

/**
 * argv for a long-lived child that must not outlive this process: util-linux's setpriv sets the
 * parent-death signal and execs the program in the same process (same PID). A daemon killed with
 * SIGKILL (the OOM killer; keepalived restarting its FIFO script outside systemd's cgroup clean-up)
 * would otherwise leave `ip monitor`, `nft monitor`, ping streams and the held ssh connection behind:
 * a monitor only notices its reader is gone at its next write, which on a quiet router is never.
 * Without setpriv the program runs as it is.
 */
export function tiedToParent(argv: string[]): string[] {
  setpriv ??= SAFE_PATH.split(':').map((d) => `${d}/setpriv`).find((p) => existsSync(p)) ?? ''
  return setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', ...argv] : argv
}

let setpriv: string | undefined
