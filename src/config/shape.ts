import type {LoadedConfig} from './load.js'
import {type Config, SCHEMA} from './schema.js'
import type {Spec} from './spec.js'

/**
 * Whether a value read back from the config cache has the shape validation gives: every section
 * and key of SCHEMA with a value of its type (an enum one of its values). A cheap loop, not
 * validation again; it keeps a planted or truncated entry from reaching the commands as config.
 */
export function isLoadedConfig(path: string) {
  return (value: unknown): value is LoadedConfig => {
    if (!isObject(value) || value.path !== path || !isObject(value.config)) return false
    const config = value.config as Record<string, unknown>
    for (const [name, section] of Object.entries(SCHEMA) as Array<[keyof Config, Record<string, Spec<unknown>>]>) {
      const got = config[name]
      if (!isObject(got)) return false
      for (const [key, spec] of Object.entries(section)) if (!fits(spec, got[key])) return false
    }
    return true
  }
}

function fits(spec: Spec<unknown>, v: unknown): boolean {
  switch (spec.type) {
    case 'int': return typeof v === 'number' && Number.isInteger(v) && v >= spec.min! && v <= spec.max!
    case 'bool': return typeof v === 'boolean'
    case 'enum': return typeof v === 'string' && spec.values!.includes(v)
    case 'list': return Array.isArray(v) && v.every((x) => typeof x === 'string')
    default: return typeof v === 'string'
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
