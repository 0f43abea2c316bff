import type {FlagSpecs} from './flag-spec.js'

/**
 * Splits a hot command's argv into flag values and positionals, by the same specs as its
 * oclif class. (Not util.parseArgs: loading it costs ~0.7 ms on a path keepalived runs every
 * second.) `--flag value`, `--flag=value`, `-c value`; repeatable flags collect arrays; `--`
 * ends the flags. Returns the problem as a string instead of throwing.
 */
export function splitArgv(specs: FlagSpecs, argv: readonly string[]): {values: Record<string, string | string[] | true>; positionals: string[]} | {error: string} {
  const values: Record<string, string | string[] | true> = {}
  const positionals: string[] = []
  const byChar = new Map(Object.entries(specs).filter(([, s]) => s.char).map(([name, s]) => [s.char!, name]))
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--') { positionals.push(...argv.slice(i + 1)); break }
    if (!arg.startsWith('-') || arg === '-') { positionals.push(arg); continue }
    const long = arg.startsWith('--')
    const eq = long ? arg.indexOf('=') : -1
    const name = long ? arg.slice(2, eq < 0 ? undefined : eq) : byChar.get(arg.slice(1))
    const spec = name === undefined ? undefined : specs[name]
    if (!spec || name === undefined || (!long && arg.length !== 2)) return {error: `unknown flag ${long && eq >= 0 ? arg.slice(0, eq) : arg}`}
    if (spec.type === 'boolean') {
      if (eq >= 0) return {error: `--${name} takes no value`}
      values[name] = true
      continue
    }
    let value: string
    if (eq >= 0) value = arg.slice(eq + 1)
    else if (i + 1 < argv.length) value = argv[++i]
    else return {error: `--${name} needs a value`}
    if (spec.type === 'string' && spec.multiple) values[name] = [...((values[name] as string[] | undefined) ?? []), value]
    else values[name] = value
  }
  return {values, positionals}
}
