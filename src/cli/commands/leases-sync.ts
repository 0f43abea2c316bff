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
      return {result: await syncLeases(deps), exit: ExitCode.OK}
    } finally {
      deps.close()
    }
  },
}
