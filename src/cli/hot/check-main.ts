import {runHot} from '../hot.js'
import {checkCommand} from './check.js'

/** Entry of the dist/hot/check.cjs bundle that bin/run.js loads for `ha-tool check`. */
export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runHot(checkCommand, argv)
}
