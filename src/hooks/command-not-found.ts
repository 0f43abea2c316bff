import type {Hook} from '@oclif/core'
import {errorJson, errorLine, usageError} from '../core/errors.js'

/** An unknown command is a usage error (exit 2), reported like every other error, JSON included. */
const hook: Hook.CommandNotFound = async function ({id, argv}) {
  const err = usageError(`unknown command "${id.replaceAll(':', ' ')}"`, '`ha-tool --help` lists the commands')
  if (argv?.includes('--json')) process.stdout.write(`${JSON.stringify(errorJson(err), null, 2)}\n`)
  else process.stderr.write(`ha-tool: ${errorLine(err)}\n`)
  process.exitCode = err.exit
}

export default hook
