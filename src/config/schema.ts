import {conntrackd} from './sections/conntrackd.js'
import {dnsmasq} from './sections/dnsmasq.js'
import {keepalived} from './sections/keepalived.js'
import {log} from './sections/log.js'
import {state} from './sections/state.js'
import {wan} from './sections/wan.js'
import type {SectionValues} from './spec.js'

/** Every section of config.toml. A capability adds its keys in its own section file. */
export const SCHEMA = {wan, keepalived, conntrackd, dnsmasq, state, log} as const

export type Schema = typeof SCHEMA
export type Config = {-readonly [S in keyof Schema]: SectionValues<Schema[S]>}
