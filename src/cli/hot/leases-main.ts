import {runHot} from '../hot.js'
import {leasesHookCommand} from './leases-hook.js'
import {leasesMergeCommand} from './leases-merge.js'
import {leasesReceiveCommand} from './leases-receive.js'

/**
 * Entry of the dist/hot/leases.cjs bundle that bin/run.js loads for `ha-tool leases merge|hook|receive`:
 * dnsmasq runs the hook on every lease change (and the hook runs receive on the peer), and merge
 * has to keep up with sort(1).
 */
export async function main(argv: string[]): Promise<void> {
  const [sub, ...rest] = argv
  const cmd = sub === 'hook' ? leasesHookCommand : sub === 'receive' ? leasesReceiveCommand : leasesMergeCommand
  process.exitCode = await runHot(cmd, rest)
}
