import {runHot} from '../hot.js'
import {notifyCommand} from './notify.js'

/** Entry of the dist/hot/notify.cjs bundle that bin/run.js loads for `ha-tool notify`. */
export async function main(argv: string[]): Promise<void> {
  // Exit as soon as the result is written (stdout and stderr are synchronous on Linux, and so
  // is the logger): nothing is left to wait for, and Node's teardown of a drained loop costs more.
  process.exit(await runHot(notifyCommand, argv))
}
