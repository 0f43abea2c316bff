/**
 * The OS pieces the command layer (src/cli) uses itself: the logger and clock of an invocation,
 * and the few reads and writes a hot command does with no use-case in between. Re-exported here so
 * src/cli and src/commands import adapters only through the wiring root (the layering rule).
 */
export {monoMs} from '../adapters/clock.js'
export {writeConfigFile} from '../adapters/files.js'
export {fileExists} from '../adapters/health-files.js'
export {readLeaseBytes, writeLeaseBytes} from '../adapters/lease-store.js'
export {createLogger} from '../adapters/log.js'
export {ownOrderKey} from '../adapters/process-info.js'
export {writeFd, writeStderrLine} from '../adapters/std-write.js'
export {readStdin} from '../adapters/stdin.js'
