import {createDoctorProbes} from '../adapters/doctor-probes.js'
import {createExec} from '../adapters/exec.js'
import {peerFromConfig} from '../adapters/peer.js'
import type {Logger} from '../adapters/log.js'
import {createRootedFs} from '../adapters/rooted-fs.js'
import type {DoctorDeps} from '../app/doctor/types.js'
import {stateFromFs} from '../app/status.js'
import type {Config} from '../config/schema.js'

/** The real adapters behind `doctor`: the files under `root`, and live reads only when root is /. */
export function createDoctorDeps(config: Config, root: string, log: Logger, configPath?: string): DoctorDeps {
  const fs = createRootedFs(root)
  const exec = createExec(log)
  return {config, fs, exec, probes: createDoctorProbes(exec), peer: peerFromConfig(config, log), live: root === '/', state: stateFromFs(fs, config.state.dir), ...(configPath ? {configPath} : {})}
}
