import type {Role} from '../core/transition/types.js'
import {openSystemBus} from './dbus.js'

const SERVICE = 'org.keepalived.Vrrp1'
const INSTANCES = '/org/keepalived/Vrrp1/Instance'
const INSTANCE_IFACE = 'org.keepalived.Vrrp1.Instance'

export type KeepalivedInstance = {name: string; path: string; state: number; stateName: string; role: Role | undefined}

/** keepalived's state numbers (vrrp.h) as roles; INIT has none. */
export function roleOfState(state: number): Role | undefined {
  switch (state) {
    case 1: return 'BACKUP'
    case 2: return 'MASTER'
    case 3: return 'FAULT'
    case 97: case 98: return 'STOP'
    default: return undefined
  }
}

/**
 * Every VRRP instance keepalived exports (needs `enable_dbus`): the object tree is
 * /org/keepalived/Vrrp1/Instance/<ifname>/<vrid>/<IPv4|IPv6>, walked by introspection.
 * Throws HaError 69 when keepalived is not on the bus.
 */
export async function readKeepalivedInstances(opts: {timeoutMs: number; address?: string}): Promise<KeepalivedInstance[]> {
  const bus = await openSystemBus(opts)
  try {
    const children = async (path: string): Promise<string[]> => {
      const [xml] = await bus.call({destination: SERVICE, path, interface: 'org.freedesktop.DBus.Introspectable', member: 'Introspect'}) as [string]
      return [...xml.matchAll(/<node name="([^"]+)"/g)].map((m) => `${path}/${m[1]}`)
    }
    const paths: string[] = []
    for (const ifPath of await children(INSTANCES)) for (const vridPath of await children(ifPath)) paths.push(...await children(vridPath))
    const out: KeepalivedInstance[] = []
    for (const path of paths) {
      const props = await bus.getAll(SERVICE, path, INSTANCE_IFACE)
      // keepalived sends Name as the struct (s) although it introspects as s.
      const name = Array.isArray(props.Name) ? String(props.Name[0]) : String(props.Name)
      const [state, stateName] = props.State as [number, string]
      out.push({name, path, state, stateName, role: roleOfState(state)})
    }
    return out
  } finally {
    bus.close()
  }
}
