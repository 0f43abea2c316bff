import {HaError} from '../../core/errors.js'
import type {HotCommand} from '../hot.js'

// Placeholder until the check capability lands (replaced in the same session).
export const checkCommand: HotCommand = {
  usage: 'ha-tool check',
  flags: {},
  run: async () => { throw new HaError('check: not built yet') },
}
