import {decideServeRequest} from '../core/peer/serve-request.js'
import {HaError} from '../core/errors.js'
import {ExitCode, type ExitCodeValue} from '../core/exit-codes.js'
import type {Config} from '../config/schema.js'
import type {Logger} from '../ports.js'

export type PeerServeDeps = {
  config: Config
  /** This node's config file, passed to the ha-tool it runs. */
  configPath: string
  log: Logger
  /** Runs this ha-tool with args on the inherited stdio; resolves with its exit code. */
  runSelf(args: readonly string[]): Promise<number>
  catFile(path: string): Promise<void>
}

/**
 * The forced command of the peer's key (authorized_keys `command="ha-tool peer serve"`): runs the
 * one peer request in SSH_ORIGINAL_COMMAND that is allowed, with this node's own config, and
 * refuses anything else (logged, exit 2). The exit code is the request's.
 */
export async function servePeerRequest(deps: PeerServeDeps, original: string | undefined): Promise<number> {
  const req = decideServeRequest(original, [deps.config.dnsmasq.leases, deps.config.conntrackd.config])
  switch (req.kind) {
    case 'refused':
      deps.log.warn({request: original?.slice(0, 500)}, `peer serve: refused: ${req.why}`)
      throw new HaError(`peer serve: refused: ${req.why}`, ExitCode.USAGE)
    case 'cat':
      try {
        await deps.catFile(req.path)
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code
        throw new HaError(`${req.path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`, code === 'ENOENT' ? ExitCode.FAILED : ExitCode.UNAVAILABLE)
      }
      return ExitCode.OK
    case 'ha-tool':
      deps.log.debug({args: req.args}, 'peer serve')
      return deps.runSelf([...req.args, '--config', deps.configPath]) as Promise<ExitCodeValue>
  }
}
