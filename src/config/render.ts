import {type Config, SCHEMA} from './schema.js'
import type {Spec} from './spec.js'

/** Renders a config as commented TOML: every key with its doc, marking values that differ from the default. */
export function renderConfigToml(config: Config, opts: {header?: string} = {}): string {
  const out: string[] = []
  if (opts.header) out.push(...opts.header.split('\n').map((l) => `# ${l}`.trimEnd()), '')
  for (const [name, section] of Object.entries(SCHEMA) as Array<[keyof Config, Record<string, Spec<unknown>>]>) {
    out.push(`[${name}]`)
    const values = config[name] as Record<string, unknown>
    for (const [key, spec] of Object.entries(section)) {
      // Older names and retired keys are read, never written: the example shows one name per setting.
      if (spec.aliasOf || spec.retired) continue
      out.push(`# ${spec.doc}${spec.type === 'enum' ? ` (${spec.values!.join(' | ')})` : ''}`)
      out.push(`${key} = ${tomlValue(values[key])}`)
    }
    out.push('')
  }
  return out.join('\n')
}

function tomlValue(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(tomlValue).join(', ')}]`
  if (typeof v === 'string') return JSON.stringify(v)
  return String(v)
}
