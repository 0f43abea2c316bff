/**
 * The --json contract of every command: what each prints on stdout on success, by command id.
 * `npm run schemas` turns these types into schemas/<command>.schema.json (success or ErrorJson);
 * CI fails when those files are stale, and the integration tests validate real output against them.
 * Compatibility rule (docs/json.md): within a major version fields are added, never renamed or removed.
 */
import type {DaemonSummary} from '../app/daemon.js'
import type {DoctorReport} from '../app/doctor/run.js'
import type {TransitionResult} from '../app/handle-transition.js'
import type {HookResult} from '../app/leases/lease-hook.js'
import type {MergeFilesResult} from '../app/leases/merge-files.js'
import type {ReceiveResult} from '../app/leases/receive-leases.js'
import type {ShowResult} from '../app/leases/show-leases.js'
import type {SyncResult} from '../app/leases/sync-leases.js'
import type {MaintenanceResult} from '../app/maintenance.js'
import type {ResyncResult} from '../app/resync.js'
import type {CheckReport} from '../app/run-check.js'
import type {NodeStatus, PairStatus} from '../app/status.js'
import type {Config} from '../config/schema.js'
import type {ErrorJson} from '../core/errors.js'
import type {KeepalivedEvent} from '../core/keepalived/event.js'

/** What every command prints with --json when it fails. */
export type ErrorOutput = ErrorJson

/** notify for an event this node does not follow (another instance, a priority change). */
export type NotifyIgnored = {ignored: true; reason: string; event: KeepalivedEvent}

/** leases merge: without -o the merged file comes back as `database`. */
export type LeasesMergeJson = Omit<MergeFilesResult, 'bytes'> & {database?: string}

export type ConfigExampleJson = {kind: string; from: string | null; text: string; written?: string[]}
export type ConfigShowJson = {file: string; config: Config}
export type ConfigValidateJson = {file: string; valid: boolean; problems: string[]}

/** Command id (as in oclif.manifest.json) -> its --json result on success. */
export type JsonContracts = {
  'check': CheckReport
  'config:example': ConfigExampleJson
  'config:show': ConfigShowJson
  'config:validate': ConfigValidateJson
  'daemon': DaemonSummary
  'doctor': DoctorReport
  'leases:hook': HookResult
  'leases:merge': LeasesMergeJson
  'leases:receive': ReceiveResult
  'leases:show': ShowResult
  'leases:sync': SyncResult
  'maintenance:off': MaintenanceResult
  'maintenance:on': MaintenanceResult
  'notify': TransitionResult | NotifyIgnored
  /** the MASTER's flow table as lines (run by the peer over ssh; --json wraps it as a string) */
  'peer:flows': string
  /** the forced-command side of the peer port: no result of its own */
  'peer:serve': null
  'resync': ResyncResult
  'status': NodeStatus | PairStatus
}
