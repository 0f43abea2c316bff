import {errorJson, errorLine, exitOf, usageError} from '../core/errors.js'
import {splitArgv} from './argv.js'
import type {AnyCommandSpec} from './command.js'
import {createContext} from './context.js'
import {type FlagSpecs, GLOBAL_FLAGS, type ParsedFlags} from './flag-spec.js'
import type {Invocation} from './outcome.js'
import {writeFd} from '../wiring/cli.js'

/**
 * The fast path for the commands keepalived and dnsmasq spawn on every interval, transition and
 * lease change (the list is bin/fast-path.json). bin/run.js sends them to their own CommonJS
 * bundles (dist/hot/<bundle>.cjs, whose entry scripts/build.mjs generates from that list) unless
 * --help is asked for, so they skip loading @oclif/core (~60 ms) and the ESM loader. They run the
 * same CommandSpec as their oclif shims, so output and exit codes are identical either way.
 */
export type CommandLoaders = Readonly<Record<string, () => Promise<AnyCommandSpec>>>

/** Entry of a hot bundle: `id` is the command (`leases merge`), argv what follows it. */
export async function runFastPath(loaders: CommandLoaders, id: string, argv: string[]): Promise<void> {
  const load = loaders[id]
  if (!load) throw new Error(`${id}: not in this bundle (bin/fast-path.json and the build disagree)`)
  const cmd = await load()
  const code = await runHot(cmd, argv)
  // Exit as soon as the result is written (stdout and stderr are synchronous on Linux, and so
  // is the logger): nothing is left to wait for, and Node's teardown of a drained loop costs more.
  if (cmd.exitAtOnce) process.exit(code)
  process.exitCode = code
}

/**
 * Runs a command: argv is what follows the command name. Prints the result (text, or JSON
 * with --json) on stdout, an error as one line on stderr (or JSON on stdout with --json),
 * and returns the exit code.
 */
export async function runHot(cmd: AnyCommandSpec, argv: string[]): Promise<number> {
  const json = argv.includes('--json')
  try {
    const inv = parseInvocation(cmd, argv, json)
    const out = await cmd.run(inv)
    // What the hot path cost, for `npm run bench` and for anyone chasing a slow keepalived hook.
    const log = inv.ctx.configMs === undefined ? undefined : inv.ctx.logger()
    if (log?.isEnabled('debug')) log.debug({configMs: round(inv.ctx.configMs!), processMs: round(process.uptime() * 1000)}, 'hot path timings')
    if (json) writeFd(1, `${JSON.stringify(out.result, null, 2)}\n`)
    else {
      const text = cmd.render(out.result, inv)
      if (text) writeFd(1, `${text}\n`)
    }
    return out.exit
  } catch (error) {
    if (json) writeFd(1, `${JSON.stringify(errorJson(error), null, 2)}\n`)
    else writeFd(2, `ha-tool: ${errorLine(error)}\n`)
    return exitOf(error)
  }
}

function parseInvocation(cmd: AnyCommandSpec, argv: string[], json: boolean): Invocation {
  const specs: FlagSpecs = {...GLOBAL_FLAGS, json: {type: 'boolean', description: ''}, ...cmd.flags}
  const parsed = splitArgv(specs, argv)
  if ('error' in parsed) throw usageError(parsed.error, `usage: ${cmd.usage}`)
  const flags: ParsedFlags = {}
  for (const [flag, s] of Object.entries(specs)) {
    const v = parsed.values[flag]
    if (v === undefined) { flags[flag] = s.default; continue }
    if (s.type === 'integer') {
      const n = Number(v)
      if (!/^-?\d+$/.test(String(v)) || (s.min !== undefined && n < s.min) || (s.max !== undefined && n > s.max)) {
        throw usageError(`--${flag}: expected an integer${s.min !== undefined ? ` >= ${s.min}` : ''}${s.max !== undefined ? ` <= ${s.max}` : ''}, got ${JSON.stringify(v)}`, `usage: ${cmd.usage}`)
      }
      flags[flag] = n
    } else if (s.type === 'string' && s.options && !s.options.includes(String(v))) {
      throw usageError(`--${flag}: expected one of ${s.options.join(', ')}, got ${JSON.stringify(v)}`, `usage: ${cmd.usage}`)
    } else {
      flags[flag] = v as string | string[] | boolean
    }
  }
  return {flags, args: parsed.positionals, json, ctx: createContext(flags as {config?: string; 'log-level'?: string})}
}

const round = (ms: number) => Math.round(ms * 100) / 100
