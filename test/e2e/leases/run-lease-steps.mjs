// Runs the lease steps of a transition (core/leases/transition-steps + app/steps/leases) the way the
// planner's afterWan slot does, inside the namespace it is started in. Used by lease-continuity.test.ts.
// Usage: node run-lease-steps.mjs ROLE CONFIG [--no-pull]   (prints the step outcomes as JSON)
import {createExec} from '../../../dist/adapters/exec.js'
import {createLogger} from '../../../dist/adapters/log.js'
import {createLeaseDeps} from '../../../dist/wiring/leases.js'
import {createLeaseExecutors} from '../../../dist/app/steps/leases.js'
import {loadConfig} from '../../../dist/config/load.js'
import {leaseSteps} from '../../../dist/core/leases/transition-steps.js'

const [role, configPath, flag] = process.argv.slice(2)
const {config} = loadConfig(configPath)
const log = createLogger({level: 'warn'})
const deps = {log}
const leaseExecutors = createLeaseExecutors(() => createLeaseDeps(config, createExec(log), log, Date.now))
const out = []
for (const step of leaseSteps(role, config)) {
  if (flag === '--no-pull' && step.kind === 'leases.pull') continue
  try {
    const r = await leaseExecutors[step.kind](step, deps)
    out.push({kind: step.kind, status: 'ok', detail: r?.detail})
  } catch (error) {
    out.push({kind: step.kind, status: 'failed', error: error.message})
    if (step.critical) break
  }
}
process.stdout.write(`${JSON.stringify(out)}\n`)
