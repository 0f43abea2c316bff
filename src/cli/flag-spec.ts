/**
 * Flag specs as plain data, shared by the oclif command classes (for --help and the manifest)
 * and by the fast path (src/cli/hot.ts), which must parse the same flags without loading oclif.
 */
export type FlagSpec =
  | {type: 'string'; description: string; char?: string; multiple?: boolean; options?: readonly string[]; default?: string; helpValue?: string}
  | {type: 'integer'; description: string; char?: string; min?: number; max?: number; default?: number; helpValue?: string}
  | {type: 'boolean'; description: string; char?: string; default?: boolean}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>

/** Flags every command has, besides oclif's --json. */
export const GLOBAL_FLAGS = {
  config: {type: 'string', description: 'config file [default: $HA_TOOL_CONFIG, else /etc/ha-tool/config.toml]', helpValue: 'PATH'},
  'log-level': {type: 'string', description: 'log level (overrides log.level)', options: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']},
} as const satisfies FlagSpecs

export type ParsedFlags = Record<string, string | string[] | number | boolean | undefined>
