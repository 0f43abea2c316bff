import {syncLeases, type SyncResult} from '../../app/leases/sync-leases.js'
import {ExitCode} from '../../core/exit-codes.js'
import {realLeaseDeps} from '../../wiring/leases.js'
import type {CommandSpec} from '../command.js'
import {renderLeasesSync} from '../render/leases-sync.js'

export const leasesSyncCommand: CommandSpec<SyncResult> = {
  usage: 'ha-tool leases sync [--json]',
  flags: {},
  render: renderLeasesSync,
  async run(inv) {
    const {config} = inv.ctx.config()
    const log = inv.ctx.logger()
    const deps = realLeaseDeps(config, log)
    try {
      const r = await syncLeases(deps)
      // Changes that did not reach the peer make the sync partial until they do (or are dealt with).
      return {result: r, exit: r.queue.pending || r.queue.setAside ? ExitCode.PARTIAL : ExitCode.OK}
    } finally {
      deps.close()
    }
  },
}
