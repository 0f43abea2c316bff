import {createDnsmasqControl} from '../adapters/dnsmasq.js'
import {createDnsmasqDbus, type DnsmasqDbus} from '../adapters/dnsmasq-dbus.js'
import {createExec, type Exec} from '../adapters/exec.js'
import {createLeaseQueue, readLeaseBytes, writeLeaseBytes} from '../adapters/lease-store.js'
import {acquireLock} from '../adapters/lock.js'
import type {Logger} from '../adapters/log.js'
import {createSsh} from '../adapters/ssh.js'
import type {Config} from '../config/schema.js'
import type {LeaseDeps} from '../app/leases/deps.js'

/** The real adapters behind the lease use-cases. */
export function createLeaseDeps(config: Config, exec: Exec, log: Logger, now: () => number = Date.now): LeaseDeps {
  const c = config.dnsmasq
  let dbus: DnsmasqDbus | undefined
  return {
    config,
    log,
    now,
    files: {read: readLeaseBytes, write: writeLeaseBytes},
    peer: createSsh({destination: c.peer, port: c.ssh_port, key: c.ssh_key, knownHosts: c.ssh_known_hosts, timeoutMs: c.ssh_timeout_ms}, log),
    dnsmasq: createDnsmasqControl(exec, c),
    dbus: () => (dbus ??= createDnsmasqDbus({address: c.dbus_address, name: c.dbus_name, timeoutMs: c.dbus_timeout_ms}, log)),
    queue: createLeaseQueue(c.queue_dir),
    lock: (name, timeoutMs) => acquireLock(`${config.state.dir}/${name}`, timeoutMs),
    close: () => dbus?.close(),
  }
}

/** The lease adapters with a fresh exec (the lease commands and hot paths). */
export function realLeaseDeps(config: Config, log: Logger): LeaseDeps {
  return createLeaseDeps(config, createExec(log), log)
}

/** The lease file reader (`leases show`). */
export {readLeaseBytes} from '../adapters/lease-store.js'
