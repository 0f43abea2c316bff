import type {Logger} from '../../adapters/log.js'
import type {Config} from '../../config/schema.js'
import type {DaemonService} from '../daemon.js'

/** Starts the daemon's resident services that the config enables (health monitor, lease schedule). */
export async function startDaemonServices(_config: Config, _log: Logger): Promise<DaemonService[]> {
  return []
}
