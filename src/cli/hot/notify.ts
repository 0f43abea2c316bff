import {HaError} from '../../core/errors.js'
import type {HotCommand} from '../hot.js'

// Placeholder until the notify capability lands (replaced in the same session).
export const notifyCommand: HotCommand = {
  usage: 'ha-tool notify',
  flags: {},
  run: async () => { throw new HaError('notify: not built yet') },
}
