import type {Logger, LogLevel} from '../adapters/log.js'
import {createLogger, monoMs} from '../wiring/cli.js'
import {loadConfig, resolveConfigPath, type LoadedConfig} from '../config/load.js'

/** What a command needs from the invocation: where the config is and how loud to log. */
export type CliContext = {
  configPath: string
  logLevelFlag?: string
  config(): LoadedConfig
  logger(): Logger
  /** How long reading, parsing and validating the config took (ms), once it was loaded. */
  configMs?: number
}

export function createContext(flags: {config?: string; 'log-level'?: string}): CliContext {
  const configPath = resolveConfigPath(flags.config)
  let loaded: LoadedConfig | undefined
  let log: Logger | undefined
  const ctx: CliContext = {
    configPath,
    logLevelFlag: flags['log-level'],
    config: () => {
      if (!loaded) {
        const t0 = monoMs()
        loaded = loadConfig(configPath)
        ctx.configMs = monoMs() - t0
      }
      return loaded
    },
    logger: () => {
      if (log) return log
      // Before the config is readable, log at the flag's level (or warn) to stderr.
      let level = (flags['log-level'] as LogLevel | undefined)
      let file: string | undefined
      try {
        const c = ctx.config().config
        level ??= c.log.level
        file = c.log.file || undefined
      } catch {
        level ??= 'warn'
      }
      return (log = createLogger({level, file}))
    },
  }
  return ctx
}
