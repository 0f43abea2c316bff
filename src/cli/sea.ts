import type {AnyCommandSpec} from './command.js'
import {runFastPath} from './fast-path.js'

/**
 * What `npm run package` bundles into the single executable (scripts/package.mjs generates the
 * tables): the same routing as bin/run.js, but every module is inside the binary. The fast-path
 * commands (bin/fast-path.json) run without oclif; everything else, and --help, goes to oclif
 * with an explicit command table (src/cli/sea-oclif.ts), loaded only then.
 */
export type SeaTables = {
  /** bin/fast-path.json's commands: id -> bundle (the bundle does not matter here: all are inside). */
  fast: Readonly<Record<string, string>>
  loaders: Readonly<Record<string, () => Promise<AnyCommandSpec>>>
  oclif(argv: string[]): Promise<void>
}

export function runSea(t: SeaTables, argv: string[]): void {
  const two = `${argv[0]} ${argv[1]}`
  const id = Object.hasOwn(t.fast, two) ? two : Object.hasOwn(t.fast, argv[0] ?? '') ? argv[0] : undefined
  if (id !== undefined && !argv.includes('--help') && !argv.includes('-h')) void runFastPath(t.loaders, id, argv.slice(id.split(' ').length))
  else void t.oclif(argv)
}
