import {runHot} from '../hot.js'
import {notifyCommand} from './notify.js'

/** Entry of the dist/hot/notify.cjs bundle that bin/run.js loads for `ha-tool notify`. */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runHot(notifyCommand, argv)
}
