import {configError, type HaError} from '../core/errors.js'
import {crossProblems} from './cross-checks.js'
import {locateKey} from './locate.js'
import {type Config, SCHEMA} from './schema.js'
import {describeSpec, type Spec} from './spec.js'

/**
 * Validates a parsed TOML document against SCHEMA and fills in defaults.
 * Pure: takes the parsed data and its source text (for line numbers), returns a Config
 * or throws one HaError (exit 78) naming file, line and key path.
 */
export function validateConfig(data: Record<string, unknown>, source: string, file: string): Config {
  const {problems, config} = check(data, source, file)
  if (problems.length > 0 || !config) throw problems[0]
  return config
}

/** Every problem in the document, first one first (validate lists them all). */
export function findProblems(data: Record<string, unknown>, source: string, file: string): HaError[] {
  return check(data, source, file).problems
}

/**
 * The problems, and when there are none the config with defaults filled in (made once, for the
 * rules between keys: with no key wrong it is exactly the document's).
 */
function check(data: Record<string, unknown>, source: string, file: string): {problems: HaError[]; config?: Config} {
  const out: Array<{line: number; key: string; err: HaError}> = []
  const at = (path: string[], message: string) => {
    const line = locateKey(source, path)
    out.push({line, key: path.join('.'), err: configError(`${file}${line ? `:${line}` : ''}: ${keyPath(path)}: ${message}`)})
  }

  for (const [name, value] of Object.entries(data)) {
    // hasOwn, not `in`: `[constructor]` or `toString = 1` must not pass as known names.
    if (!Object.hasOwn(SCHEMA, name)) { at([name], `unknown ${isTable(value) ? 'section' : 'key'} (known sections: ${Object.keys(SCHEMA).join(', ')})`); continue }
    if (!isTable(value)) { at([name], `expected a [${name}] section, got ${show(value)}`); continue }
  }
  for (const [name, section] of Object.entries(SCHEMA) as Array<[string, Record<string, Spec<unknown>>]>) {
    const given = isTable(data[name]) ? data[name] : {}
    for (const [key, value] of Object.entries(given)) {
      const spec = Object.hasOwn(section, key) ? section[key] : undefined
      if (!spec) { at([name, key], `unknown key (known: ${Object.keys(section).join(', ')})`); continue }
      const why = checkValue(spec, value)
      if (why) at([name, key], why)
      else if (spec.retired && JSON.stringify(value) !== JSON.stringify(spec.default)) at([name, key], `retired key: ${spec.retired}`)
      else if (spec.aliasOf) {
        const [s2, k2] = spec.aliasOf.split('.')
        const other = isTable(data[s2]) ? data[s2][k2] : undefined
        if (other !== undefined && JSON.stringify(normal(other)) !== JSON.stringify(normal(value))) at([name, key], `older name of ${spec.aliasOf}, which says ${show(other)}: keep one`)
      }
    }
    for (const [key, spec] of Object.entries(section)) {
      if (spec.required && (given[key] === undefined || given[key] === '')) at([name, key], `required key is missing (expected ${describeSpec(spec)})`)
    }
  }
  // Rules between keys, on the values with defaults filled in; a rule about a key that is wrong
  // by itself would only repeat that problem.
  if (!out.some((p) => p.err.message.includes('unknown section') || p.err.message.includes('expected a ['))) {
    const bad = new Set(out.map((p) => p.key))
    // Wrong values stand in as their defaults; the rules about them are skipped just below.
    const sound = Object.fromEntries(Object.entries(data).map(([name, t]) => [name, Object.fromEntries(Object.entries(t as Record<string, unknown>).filter(([k]) => !bad.has(`${name}.${k}`)))]))
    const filled = applyDefaults(sound)
    for (const p of crossProblems(filled)) {
      if (!p.keys.some((k) => bad.has(k))) at(p.path, p.message)
    }
    if (out.length === 0) return {problems: [], config: filled}
  }
  return {problems: out.sort((a, b) => (a.line || Infinity) - (b.line || Infinity)).map((p) => p.err)}
}

function checkValue(spec: Spec<unknown>, value: unknown): string | undefined {
  const expected = () => `expected ${describeSpec(spec)}, got ${show(value)}`
  switch (spec.type) {
    case 'int':
      if (typeof value !== 'number' && typeof value !== 'bigint') return expected()
      if (!Number.isInteger(Number(value)) || Number(value) < spec.min! || Number(value) > spec.max!) return expected()
      break
    case 'bool':
      if (typeof value !== 'boolean') return expected()
      break
    case 'enum':
      if (typeof value !== 'string' || !spec.values!.includes(value)) return expected()
      break
    case 'list':
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) return expected()
      if (value.some((v) => CONTROL.test(v as string))) return `expected strings without control characters (newlines, tabs, NUL), got ${show(value)}`
      break
    default:
      if (typeof value !== 'string') return expected()
      if (CONTROL.test(value)) return `expected a string without control characters (newlines, tabs, NUL), got ${show(value)}`
  }
  const extra = spec.check?.(spec.type === 'int' ? Number(value) : value)
  return extra ? `expected ${extra}, got ${show(value)}` : undefined
}

/** A newline in a path or a name would split a line of a file we write, or of a log. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

// A list default is copied (a caller must not change the schema's); a number, string or boolean is
// used as it is: structuredClone on each of ~100 keys cost a hot run ~0.2 ms.
const copyDefault = (d: unknown) => (typeof d === 'object' && d !== null ? structuredClone(d) : d)

function applyDefaults(data: Record<string, unknown>): Config {
  const out: Record<string, Record<string, unknown>> = {}
  for (const [name, section] of Object.entries(SCHEMA) as Array<[string, Record<string, Spec<unknown>>]>) {
    const given = isTable(data[name]) ? data[name] : {}
    out[name] = {}
    for (const [key, spec] of Object.entries(section)) {
      const v = given[key]
      out[name][key] = v === undefined ? copyDefault(spec.default) : typeof v === 'bigint' ? Number(v) : v
    }
  }
  // An older name fills its new key when only it is given; then both read the same value,
  // so code that still reads the old name sees what the new key says.
  for (const [name, section] of Object.entries(SCHEMA) as Array<[string, Record<string, Spec<unknown>>]>) {
    for (const [key, spec] of Object.entries(section)) {
      if (!spec.aliasOf) continue
      const [s2, k2] = spec.aliasOf.split('.')
      const given = isTable(data[name]) ? data[name][key] : undefined
      const newGiven = isTable(data[s2]) ? data[s2][k2] : undefined
      if (given !== undefined && newGiven === undefined) out[s2][k2] = out[name][key]
      out[name][key] = structuredClone(out[s2][k2])
    }
  }
  return out as Config
}

const normal = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : v)

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date)
}

/** `wan.table`; a part that is not a bare TOML key is quoted, as it must be written. */
function keyPath(path: string[]): string {
  return path.map((p) => (/^[A-Za-z0-9_-]+$/.test(p) ? p : JSON.stringify(p))).join('.')
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'bigint') return String(v)
  // As TOML writes them (JSON would say null).
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf'
  if (isTable(v)) return 'a table'
  if (Array.isArray(v)) return 'an array'
  return JSON.stringify(v) ?? String(v)
}

/** The built-in defaults, with `wan.interface` filled in (for examples and `config show` without a file). */
export function defaultConfig(wanInterface = 'ens7'): Config {
  return {...applyDefaults({}), wan: {...applyDefaults({}).wan, interface: wanInterface}}
}
