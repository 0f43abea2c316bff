import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {lazyRequire} from './lazy-require.js'

export type DbusCall = {destination: string; path: string; interface: string; member: string; signature?: string; body?: unknown[]}

export type DbusConnection = {
  call(msg: DbusCall, timeoutMs?: number): Promise<unknown[]>
  getAll(destination: string, path: string, iface: string): Promise<Record<string, unknown>>
  close(): void
}

export const DEFAULT_SYSTEM_BUS = 'unix:path=/var/run/dbus/system_bus_socket'

/**
 * A system-bus connection with the three things dbus-next lacks: socket errors become
 * rejections (instead of an unhandled 'error' event that kills the process), every call
 * has a timeout (a frozen service otherwise hangs us forever), and errors are phrased
 * for the user: no bus, service not running, access denied, no reply.
 * dbus-next (~35 ms to import) is loaded here, on first use only.
 */
export async function openSystemBus(opts: {timeoutMs: number; address?: string}): Promise<DbusConnection> {
  const address = opts.address ?? process.env.DBUS_SYSTEM_BUS_ADDRESS ?? DEFAULT_SYSTEM_BUS
  const dbus = lazyRequire<typeof import('dbus-next')>('dbus-next', import.meta.url)
  const bus = dbus.sessionBus({busAddress: address})
  let failure: Error | undefined
  let rejectAll: (e: Error) => void = () => {}
  const broken = new Promise<never>((_, reject) => { rejectAll = reject })
  broken.catch(() => {})
  bus.on('error', (err: Error) => { failure = err; rejectAll(err) })

  const call = async (msg: DbusCall, timeoutMs = opts.timeoutMs): Promise<unknown[]> => {
    const what = `${msg.interface}.${msg.member}`
    if (failure) throw classify(failure, msg.destination, what, address, timeoutMs)
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout'), {code: 'ETIMEDOUT'})), timeoutMs)
    })
    try {
      const reply = await Promise.race([bus.call(new dbus.Message(msg as never)), broken, timeout])
      return (reply as {body: unknown[]}).body
    } catch (error) {
      throw classify(error, msg.destination, what, address, timeoutMs)
    } finally {
      clearTimeout(timer)
    }
  }
  return {
    call,
    getAll: async (destination, path, iface) => {
      const [all] = await call({destination, path, interface: 'org.freedesktop.DBus.Properties', member: 'GetAll', signature: 's', body: [iface]})
      return Object.fromEntries(Object.entries(all as Record<string, {value: unknown}>).map(([k, v]) => [k, v.value]))
    },
    close: () => closeBus(bus),
  }
}

/**
 * dbus-next's disconnect() only half-closes the socket (end()): a bus that accepted the
 * connection but never answers (not even the authentication) keeps it open, and with it the
 * process, forever. Destroy the socket too; every call was already bounded by its timeout.
 */
export function closeBus(bus: unknown): void {
  const b = bus as {disconnect?(): void; _connection?: {stream?: {destroy?(): void}}} | undefined
  try { b?.disconnect?.() } catch { /* already closed */ }
  try { b?._connection?.stream?.destroy?.() } catch { /* already gone */ }
}

function classify(error: unknown, service: string, what: string, address: string, timeoutMs: number): HaError {
  if (error instanceof HaError) return error
  const e = error as {code?: string; type?: string; text?: string; message?: string}
  if (e.code === 'ENOENT' || e.code === 'ECONNREFUSED') {
    return new HaError(`D-Bus: no system bus at ${address} (${e.code})`, ExitCode.UNAVAILABLE, {kind: 'dbus-unavailable', hint: 'is dbus running? DBUS_SYSTEM_BUS_ADDRESS overrides the address'})
  }
  if (e.code === 'EACCES') return new HaError(`D-Bus: permission denied connecting to ${address}`, ExitCode.UNAVAILABLE, {kind: 'dbus-unavailable'})
  if (e.code === 'ETIMEDOUT') return new HaError(`D-Bus: ${service} did not answer ${what} within ${timeoutMs} ms`, ExitCode.UNAVAILABLE, {kind: 'dbus-timeout'})
  const name = e.type
  if (name === 'org.freedesktop.DBus.Error.ServiceUnknown' || name === 'org.freedesktop.DBus.Error.NameHasNoOwner' || name?.startsWith('org.freedesktop.DBus.Error.Spawn') || name === 'org.freedesktop.systemd1.NoSuchUnit') {
    return new HaError(`D-Bus: ${service} is not running on the system bus`, ExitCode.UNAVAILABLE, {kind: 'dbus-service-missing'})
  }
  if (name === 'org.freedesktop.DBus.Error.AccessDenied' || name === 'org.freedesktop.DBus.Error.InteractiveAuthorizationRequired') {
    return new HaError(`D-Bus: access denied for ${what} on ${service}`, ExitCode.FAILED, {kind: 'dbus-access-denied', hint: 'run as root (keepalived runs scripts as script_user)'})
  }
  if (name) return new HaError(`D-Bus: ${what} on ${service} failed: ${name}${e.text ? `: ${e.text}` : ''}`, ExitCode.FAILED, {kind: 'dbus-error'})
  return new HaError(`D-Bus: ${what} on ${service} failed: ${e.message ?? String(error)}`, ExitCode.UNAVAILABLE, {kind: 'dbus-unavailable'})
}
