import {runHot, type HotCommand} from '../hot.js'
import {leasesMergeCommand} from './leases-merge.js'

/**
 * Entry of the dist/hot/leases.cjs bundle that bin/run.js loads for `ha-tool leases merge|hook|receive`:
 * dnsmasq runs the hook on every lease change (and the hook runs receive on the peer), and merge
 * has to keep up with sort(1). hook and receive are loaded only when asked for: they bring
 * child_process, net and streams (~3 ms to load), which merge never uses.
 */
export async function main(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv
  let cmd: HotCommand = leasesMergeCommand
  if (sub === 'hook') cmd = (await import('./leases-hook.js')).leasesHookCommand
  else if (sub === 'receive') cmd = (await import('./leases-receive.js')).leasesReceiveCommand
  process.exitCode = await runHot(cmd, rest)
}
