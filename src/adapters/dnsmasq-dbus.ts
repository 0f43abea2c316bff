import {HaError, unavailableError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import type {Lease} from '../core/leases/types.js'
import type {Logger} from './log.js'
import {closeBus} from './dbus.js'
import {lazyRequire} from './lazy-require.js'

export type DnsmasqDbusConfig = {
  /** Bus address; "" = the system bus ($DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket). */
  address: string
  /** dnsmasq's service name (--enable-dbus=NAME). */
  name: string
  timeoutMs: number
}

/** Lease injection into a running dnsmasq (src/dbus.c): it updates its table, its file, DNS, and runs its script. */
export type DnsmasqDbus = {
  /** Whether dnsmasq owns its name on the bus (runs with --enable-dbus). */
  present(): Promise<boolean>
  /** AddDhcpLease for one lease; `now` (epoch s) turns its absolute expiry into the relative duration dnsmasq takes. */
  addLease(lease: Lease, now: number): Promise<void>
  /** DeleteDhcpLease; resolves false when dnsmasq had no such lease. */
  deleteLease(ip: string): Promise<boolean>
  close(): void
}

const PATH = '/uk/org/thekelleys/dnsmasq'
const INFINITE = 0xffffffff

type DbusModule = typeof import('dbus-next')

/** Bytes of "aa:bb:cc" (dnsmasq's AddDhcpLease takes the client id as raw bytes, not text). */
export function hexToBytes(hex: string): Buffer {
  return hex === '*' || hex === '' ? Buffer.alloc(0) : Buffer.from(hex.split(':').map((h) => parseInt(h, 16)))
}

export function createDnsmasqDbus(cfg: DnsmasqDbusConfig, log?: Logger): DnsmasqDbus {
  let dbus: DbusModule | undefined
  let bus: ReturnType<DbusModule['systemBus']> | undefined
  let broken: Error | undefined
  const connect = () => {
    // dbus-next costs ~30-40 ms to import: only the D-Bus apply path pays it.
    dbus ??= lazyRequire<DbusModule>('dbus-next', import.meta.url)
    if (!bus) {
      bus = cfg.address ? dbus.sessionBus({busAddress: cfg.address}) : dbus.systemBus()
      // Without a listener an unreachable bus socket would crash the process.
      bus.on('error', (error: Error) => {
        broken = error
        log?.debug({err: error.message}, 'dnsmasq d-bus connection error')
      })
    }
    return {dbus, bus}
  }
  const call = async (iface: string, member: string, signature: string, body: unknown[], destination = cfg.name, path = PATH) => {
    const {dbus, bus} = connect()
    if (broken) throw unavailableError(`D-Bus ${cfg.address || 'system bus'}: ${broken.message}`)
    const msg = new dbus.Message({destination, path, interface: iface, member, signature, body})
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailableError(`D-Bus ${member} to ${destination}: no answer within ${cfg.timeoutMs} ms`)), cfg.timeoutMs)
    })
    try {
      const reply = await Promise.race([bus.call(msg), timeout])
      return reply?.body ?? []
    } catch (error) {
      if (error instanceof HaError) throw error
      const type = (error as {type?: string}).type ?? ''
      if (/ServiceUnknown|NameHasNoOwner|NoReply|Disconnected|NoServer/.test(type) || broken) {
        throw unavailableError(`D-Bus ${member} to ${destination}: ${(error as Error).message || type}`, 'is dnsmasq running with --enable-dbus on this bus?')
      }
      throw new HaError(`D-Bus ${member} to ${destination}: ${(error as Error).message || type}`, ExitCode.FAILED)
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    present: async () => {
      try {
        const [owned] = await call('org.freedesktop.DBus', 'NameHasOwner', 's', [cfg.name], 'org.freedesktop.DBus', '/org/freedesktop/DBus')
        return owned === true
      } catch (error) {
        if (error instanceof HaError && error.exit === ExitCode.UNAVAILABLE) return false
        throw error
      }
    },
    addLease: async (lease, now) => {
      const duration = lease.expiry === 0 ? INFINITE : Math.max(1, Math.min(INFINITE - 1, lease.expiry - now))
      const host = Buffer.from(lease.host === '*' ? '' : lease.host, 'latin1')
      if (lease.family === 4) {
        await call(cfg.name, 'AddDhcpLease', 'ssayayuub', [lease.ip, lease.mac, host, hexToBytes(lease.clientId), duration, 0, false])
      } else {
        const temporary = lease.iaid.startsWith('T')
        await call(cfg.name, 'AddDhcpLease', 'ssayayuub', [lease.ip, '', host, hexToBytes(lease.duid), duration, Number(lease.iaid.replace('T', '')), temporary])
      }
    },
    deleteLease: async (ip) => {
      const [done] = await call(cfg.name, 'DeleteDhcpLease', 's', [ip])
      return done === true
    },
    close: () => {
      closeBus(bus)
      bus = undefined
    },
  }
}
