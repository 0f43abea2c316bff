// Compile-time: every command's --json contract (src/cli/json-contracts.ts, what schemas/ is generated from) is
// exactly the result type its CommandSpec returns, so a changed result type breaks `npm run typecheck` until the
// contract (and then `npm run schemas`) follows. The runtime test only proves the file is part of the suite.
import assert from 'node:assert/strict'
import {it} from 'node:test'
import type {CommandSpec} from '../../src/cli/command.js'
import type {checkCommand} from '../../src/cli/commands/check.js'
import type {configExampleCommand} from '../../src/cli/commands/config-example.js'
import type {configShowCommand} from '../../src/cli/commands/config-show.js'
import type {configValidateCommand} from '../../src/cli/commands/config-validate.js'
import type {daemonCommand} from '../../src/cli/commands/daemon.js'
import type {doctorCommand} from '../../src/cli/commands/doctor.js'
import type {leasesHookCommand} from '../../src/cli/commands/leases-hook.js'
import type {leasesMergeCommand} from '../../src/cli/commands/leases-merge.js'
import type {leasesReceiveCommand} from '../../src/cli/commands/leases-receive.js'
import type {leasesShowCommand} from '../../src/cli/commands/leases-show.js'
import type {leasesSyncCommand} from '../../src/cli/commands/leases-sync.js'
import type {maintenanceOffCommand} from '../../src/cli/commands/maintenance-off.js'
import type {maintenanceOnCommand} from '../../src/cli/commands/maintenance-on.js'
import type {notifyCommand} from '../../src/cli/commands/notify.js'
import type {peerFlowsCommand} from '../../src/cli/commands/peer-flows.js'
import type {peerServeCommand} from '../../src/cli/commands/peer-serve.js'
import type {resyncCommand} from '../../src/cli/commands/resync.js'
import type {statusCommand} from '../../src/cli/commands/status.js'
import type {JsonContracts} from '../../src/cli/json-contracts.js'

type ResultOf<C> = C extends CommandSpec<infer R> ? R : never
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
type Specs = {
  'check': typeof checkCommand
  'config:example': typeof configExampleCommand
  'config:show': typeof configShowCommand
  'config:validate': typeof configValidateCommand
  'daemon': typeof daemonCommand
  'doctor': typeof doctorCommand
  'leases:hook': typeof leasesHookCommand
  'leases:merge': typeof leasesMergeCommand
  'leases:receive': typeof leasesReceiveCommand
  'leases:show': typeof leasesShowCommand
  'leases:sync': typeof leasesSyncCommand
  'maintenance:off': typeof maintenanceOffCommand
  'maintenance:on': typeof maintenanceOnCommand
  'notify': typeof notifyCommand
  'peer:flows': typeof peerFlowsCommand
  'peer:serve': typeof peerServeCommand
  'resync': typeof resyncCommand
  'status': typeof statusCommand
}
// A key missing on either side, or a result type that differs, is a type error here.
const match: {[K in keyof JsonContracts]: Same<ResultOf<Specs[K]>, JsonContracts[K]>} & {[K in keyof Specs]: unknown} = {
  'check': true, 'config:example': true, 'config:show': true, 'config:validate': true, 'daemon': true, 'doctor': true,
  'leases:hook': true, 'leases:merge': true, 'leases:receive': true, 'leases:show': true, 'leases:sync': true,
  'maintenance:off': true, 'maintenance:on': true, 'notify': true, 'peer:flows': true, 'peer:serve': true, 'resync': true, 'status': true,
}

it('every --json contract is the result type of its command (checked by the compiler)', () => {
  assert.equal(Object.keys(match).length, 18)
})
