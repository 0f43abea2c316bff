import {openSystemBus, type DbusConnection} from './dbus.js'

const SERVICE = 'org.freedesktop.network1'
const ROOT = '/org/freedesktop/network1'
const MANAGER = 'org.freedesktop.network1.Manager'
const LINK = 'org.freedesktop.network1.Link'

export type NetworkdLink = {ifindex: number; path: string}
export type NetworkdLinkState = {OperationalState?: string; AdministrativeState?: string; CarrierState?: string; AddressState?: string; IPv4AddressState?: string}

/**
 * systemd-networkd over D-Bus (org.freedesktop.network1). It has no link up/down method
 * in any version; link state goes through netlink or a runtime drop-in (networkd-dropin.ts).
 */
export type Networkd = {
  link(dev: string): Promise<NetworkdLink>
  renew(dev: string): Promise<void>
  reconfigure(dev: string): Promise<void>
  reload(): Promise<void>
  describe(dev: string): Promise<Record<string, unknown>>
  state(dev: string): Promise<NetworkdLinkState>
  close(): void
}

export async function connectNetworkd(opts: {timeoutMs: number; address?: string}): Promise<Networkd> {
  const bus: DbusConnection = await openSystemBus(opts)
  const manager = (member: string, signature?: string, body?: unknown[]) => bus.call({destination: SERVICE, path: ROOT, interface: MANAGER, member, signature, body})
  const links = new Map<string, NetworkdLink>()
  const link = async (dev: string): Promise<NetworkdLink> => {
    let l = links.get(dev)
    if (!l) {
      const [ifindex, path] = await manager('GetLinkByName', 's', [dev]) as [number, string]
      links.set(dev, (l = {ifindex, path}))
    }
    return l
  }
  return {
    link,
    renew: async (dev) => { await manager('RenewLink', 'i', [(await link(dev)).ifindex]) },
    reconfigure: async (dev) => { await manager('ReconfigureLink', 'i', [(await link(dev)).ifindex]) },
    reload: async () => { await manager('Reload') },
    describe: async (dev) => JSON.parse((await manager('DescribeLink', 'i', [(await link(dev)).ifindex]))[0] as string) as Record<string, unknown>,
    state: async (dev) => bus.getAll(SERVICE, (await link(dev)).path, LINK) as Promise<NetworkdLinkState>,
    close: () => bus.close(),
  }
}
