import {oneOf, str} from '../spec.js'

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

export const log = {
  level: oneOf(LOG_LEVELS, 'info', 'log level; --log-level overrides it'),
  file: str('', 'append JSON logs to this file instead of stderr'),
} as const
