import {servePeerRequest} from '../../app/peer-serve.js'
import type {ExitCodeValue} from '../../core/exit-codes.js'
import {peerServeDeps} from '../../wiring/peer.js'
import type {CommandSpec} from '../command.js'

/** The forced command of the peer's key: the request's own output goes straight to stdout. */
export const peerServeCommand: CommandSpec<null> = {
  usage: 'ha-tool peer serve (as an authorized_keys forced command)',
  flags: {},
  render: () => '',
  async run(inv) {
    const {config, path} = inv.ctx.config()
    const exit = await servePeerRequest(peerServeDeps(config, path, inv.ctx.logger()), process.env.SSH_ORIGINAL_COMMAND)
    return {result: null, exit: exit as ExitCodeValue}
  },
}
