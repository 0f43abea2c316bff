import {join} from 'node:path'
import {createExec} from '../../adapters/exec.js'
import type {Logger} from '../../adapters/log.js'
import {createSshChannel} from '../../adapters/ssh-channel.js'
import type {Config} from '../../config/schema.js'
import {peerTarget} from './peer-target.js'
import {createLeaseDeps} from './real-deps.js'
import {startReplicator} from './replicator.js'

/** The replicator over a held ssh channel to the peer (the daemon's service, and `leases replicate`). */
export function startLeaseReplication(config: Config, log: Logger, opts: {pollMs?: number} = {}): {stop(): Promise<void>; channel: {masterPid(): number | undefined}} {
  const deps = createLeaseDeps(config, createExec(log), log)
  const channel = createSshChannel(peerTarget(config), join(config.state.dir, 'lease-ssh.ctl'), log)
  const rep = startReplicator({...deps, peer: channel}, opts)
  return {
    channel,
    stop: async () => {
      await rep.stop()
      await channel.close()
      deps.close()
    },
  }
}
