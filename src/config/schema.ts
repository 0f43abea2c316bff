import {conntrackd} from './sections/conntrackd.js'
import {dnsmasq} from './sections/dnsmasq.js'
import {doctor} from './sections/doctor.js'
import {health} from './sections/health.js'
import {keepalived} from './sections/keepalived.js'
import {lan} from './sections/lan.js'
import {log} from './sections/log.js'
import {metrics} from './sections/metrics.js'
import {peer} from './sections/peer.js'
import {state} from './sections/state.js'
import {sync} from './sections/sync.js'
import {wan} from './sections/wan.js'
import type {SectionValues} from './spec.js'

/** Every section of config.toml. A capability adds its keys in its own section file. */
export const SCHEMA = {wan, lan, sync, peer, keepalived, conntrackd, dnsmasq, health, state, metrics, log, doctor} as const

export type Schema = typeof SCHEMA
export type Config = {-readonly [S in keyof Schema]: SectionValues<Schema[S]>}
