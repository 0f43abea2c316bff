import {runHot} from '../hot.js'
import {checkCommand} from './check.js'

/** Entry of the dist/hot/check.cjs bundle that bin/run.js loads for `ha-tool check`. */
export async function main(argv: string[]): Promise<void> {
  // Exit as soon as the result is written (stdout and stderr are synchronous on Linux, and so
  // is the logger): nothing is left to wait for, and Node's teardown of a drained loop costs more.
  process.exit(await runHot(checkCommand, argv))
}
