// Runs the daemon's health monitor alone (the way `ha-tool daemon` hosts it), for tests:
//   node --import tsx test/support/health-monitor-runner.ts CONFIG
// Prints one JSON line per cycle on stdout ({status, value, reason, pings}); SIGTERM stops it cleanly.
import {createMonitorDeps} from '../../src/wiring/health.js'
import {createLogger} from '../../src/adapters/log.js'
import {startHealthMonitor} from '../../src/app/health-monitor.js'
import {loadConfig} from '../../src/config/load.js'

const {config} = loadConfig(process.argv[2])
const deps = createMonitorDeps(config.state.dir, config.health.interval_ms)
const mon = startHealthMonitor(deps, config, createLogger({level: 'warn'}))
let stopping = false
process.once('SIGTERM', () => {
  stopping = true
  void mon.stop().then(() => process.stdout.write('{"stopped":true}\n'))
})
while (!stopping) {
  const s = await mon.nextCycle()
  if (!stopping) process.stdout.write(`${JSON.stringify({status: s.status, value: s.value, reason: s.reason, pings: deps.icmpPids()})}\n`)
}
