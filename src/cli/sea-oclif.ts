import {type Command, Config, flush, handle, type Interfaces, Plugin, run} from '@oclif/core'
import {dirname} from 'node:path'
import commandNotFound from '../hooks/command-not-found.js'

/**
 * oclif inside the single executable: nothing to find on disk, so the root plugin gets the
 * package.json and an explicit command table (every src/commands class, bundled) instead of
 * scanning dist/commands, and the one hook is called directly instead of loaded from a file.
 */
export async function runOclif(argv: string[], opts: {pjson: Interfaces.PJSON; commands: Record<string, Command.Class>; version: string}): Promise<void> {
  try {
    const root = dirname(process.execPath)
    const pjson = {...opts.pjson, oclif: {...opts.pjson.oclif, commands: {strategy: 'explicit' as const, target: './sea', identifier: 'COMMANDS'}, hooks: {}}}
    const plugin = new Plugin({isRoot: true, root, pjson, ignoreManifest: true})
    // Plugin reads an explicit table through its command cache; set, it never imports the target.
    ;(plugin as unknown as {commandCache: Record<string, Command.Class>}).commandCache = opts.commands
    await plugin.load()
    const runHook = Config.prototype.runHook
    Config.prototype.runHook = async function (this: Config, event: string, hookOpts: Record<string, unknown>, ...rest: unknown[]) {
      if (event !== 'command_not_found') return (runHook as (...a: unknown[]) => ReturnType<Config['runHook']>).call(this, event, hookOpts, ...rest)
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const result = await (commandNotFound as any).call({config: this}, {...hookOpts, config: this, context: {}})
      return {successes: [{result, plugin}], failures: []}
    } as Config['runHook']
    await run(argv, {root, pjson, version: opts.version, plugins: new Map([[plugin.name, plugin]])})
    await flush()
  } catch (error) {
    await handle(error as Error)
  }
}
