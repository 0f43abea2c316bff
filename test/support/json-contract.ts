// The --json contracts (schemas/*.schema.json, generated from src/cli/json-contracts.ts) checked against what
// the real CLI prints. runCli/run in spawn.ts call checkJsonOutput on every `bin/run.js ... --json` they run,
// so each integration test that runs a command with --json also proves its output matches the schema.
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {Ajv, type ValidateFunction} from 'ajv'

const ROOT = new URL('../..', import.meta.url).pathname
const validators = new Map<string, ValidateFunction>()
let commandIds: string[] | undefined

/**
 * Tests validate strictly: an object may not carry a field its type does not declare (the committed schemas
 * allow that, so clients tolerate added fields; here an undeclared field means the type drifted from the output).
 */
function strict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(strict)
  if (!node || typeof node !== 'object') return node
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, strict(v)]))
  if (out.type === 'object' && out.properties && !('additionalProperties' in out)) out.additionalProperties = false
  return out
}

function validator(file: string): ValidateFunction {
  let v = validators.get(file)
  if (!v) {
    const schema = strict(JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8'))) as object
    v = new Ajv({allErrors: true, strict: false}).compile(schema)
    validators.set(file, v)
  }
  return v
}

/** The command id (`leases:show`) an argv after bin/run.js names, or undefined (an unknown command). */
export function commandOf(args: readonly string[]): string | undefined {
  commandIds ??= Object.keys((JSON.parse(readFileSync(join(ROOT, 'oclif.manifest.json'), 'utf8')) as {commands: object}).commands)
  const words: string[] = []
  for (const a of args) {
    if (a.startsWith('-')) break
    words.push(a)
  }
  for (let n = words.length; n > 0; n--) {
    const id = words.slice(0, n).join(':')
    if (commandIds.includes(id)) return id
  }
  return undefined
}

/** Throws, naming each violation, when `stdout` is not what the command's schema allows. Returns the parsed value. */
export function assertJsonContract(command: string | undefined, stdout: string): unknown {
  const file = command ? `${command.replaceAll(':', '-')}.schema.json` : 'error.schema.json'
  let value: unknown
  try {
    value = JSON.parse(stdout)
  } catch {
    throw new Error(`ha-tool ${command?.replaceAll(':', ' ') ?? '(unknown command)'} --json printed something that is not JSON: ${stdout.slice(0, 200)}`)
  }
  const v = validator(file)
  if (!v(value)) {
    const errors = (v.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`)
    throw new Error(`ha-tool ${command?.replaceAll(':', ' ') ?? '(unknown command)'} --json does not match schemas/${file}:\n  ${[...new Set(errors)].join('\n  ')}\noutput: ${stdout.slice(0, 500)}`)
  }
  return value
}

/**
 * For the spawn helpers: when argv runs bin/run.js with --json (and not --help), check what it printed.
 * A run that printed nothing (killed, timed out) is left to the test's own assertions.
 */
export function checkJsonOutput(argv: readonly string[], stdout: string): void {
  const at = argv.findIndex((a) => a.endsWith('bin/run.js') || a.endsWith('/ha-tool') || (process.env.HA_TOOL_BIN !== undefined && a === process.env.HA_TOOL_BIN))
  if (at < 0) return
  const args = argv.slice(at + 1)
  if (!args.includes('--json') || args.includes('--help') || args.includes('-h') || stdout.trim() === '') return
  assertJsonContract(commandOf(args), stdout)
}
