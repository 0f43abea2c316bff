import {parse, TomlError} from 'smol-toml'
import {MAX_CONFIG_BYTES, readRegularText} from '../adapters/files.js'
import {configError} from '../core/errors.js'
import type {Config} from './schema.js'
import {findProblems, validateConfig} from './validate.js'

export const DEFAULT_CONFIG_PATH = '/etc/ha-tool/config.toml'

/** --config, else $HA_TOOL_CONFIG, else the default path. */
export function resolveConfigPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  return flag || env.HA_TOOL_CONFIG || DEFAULT_CONFIG_PATH
}

export type LoadedConfig = {path: string; config: Config}

/** Reads, parses and validates the config; every failure is one HaError (exit 78) naming the file. */
export function loadConfig(path: string): LoadedConfig {
  const {data, source} = readAndParse(path, 'root')
  return {path, config: validateConfig(data, source, path)}
}

/** All problems of a file (for `config validate`), or the one that stops it being read at all. */
export function checkConfigFile(path: string): string[] {
  const {data, source} = readAndParse(path)
  return findProblems(data, source, path).map((e) => e.message)
}

function readAndParse(path: string, trust?: 'root'): {data: Record<string, unknown>; source: string} {
  let source: string
  try {
    source = readRegularText(path, MAX_CONFIG_BYTES, trust)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw configError(`${path}: no such config file`, 'write one with `ha-tool config example ha-tool`, or pass --config')
    if (code === 'EACCES') throw configError(`${path}: permission denied reading the config`)
    if (code === 'EISDIR') throw configError(`${path}: is a directory, expected a TOML file`)
    if (code === 'EUNTRUSTED') throw configError(`${path}: ${(error as Error).message}: root will not run what it says`, `chown root:root ${path} && chmod go-w ${path} (\`config validate\` still reads it)`)
    if (code === 'ENOTREG' || code === 'EFBIG') throw configError(`${path}: ${(error as Error).message}, expected a TOML file of at most ${MAX_CONFIG_BYTES} bytes`)
    throw configError(`${path}: cannot read: ${(error as Error).message}`)
  }
  try {
    // Integers past 2^53 come back as bigint, so the validator can name the key instead of a syntax error.
    return {data: parse(source, {integersAsBigInt: 'asNeeded'}) as Record<string, unknown>, source}
  } catch (error) {
    if (error instanceof TomlError) {
      const reason = error.message.split('\n')[0].replace(/^Invalid TOML document: /, '')
      throw configError(`${path}:${error.line}:${error.column}: TOML syntax error: ${reason}`)
    }
    throw error
  }
}
