import type {DnsmasqOption} from '../parse/dnsmasq-conf.js'

/** A dnsmasq release, as [major, minor]: 2.90 is [2, 90]. */
export type DnsmasqVersion = readonly [number, number]

/** What `config example dnsmasq` may print that an older dnsmasq refuses (it will not start on an unknown option). */
export type DnsmasqNeed = {option: string; what: string; since: DnsmasqVersion}

/**
 * The example's options and syntax that came after dnsmasq 2.53, with the release that brought each
 * (dnsmasq's CHANGELOG). Everything else the example prints is older. test/unit/examples holds every
 * option the example prints to this table or to its list of older ones.
 */
const NEEDS: ReadonlyArray<DnsmasqNeed & {value?: RegExp}> = [
  {option: 'no-dhcpv6-interface', what: 'no-dhcpv6-interface', since: [2, 90]},
  {option: 'ra-param', what: 'ra-param', since: [2, 67]},
  {option: 'dhcp-range', value: /(^|,)constructor:/, what: 'dhcp-range=...,constructor:', since: [2, 66]},
  {option: 'bind-dynamic', what: 'bind-dynamic', since: [2, 63]},
  {option: 'enable-dbus', value: /./, what: 'enable-dbus=<service name>', since: [2, 63]},
  {option: 'dhcp-range', value: /(^|,)ra-stateless(,|$)/, what: 'dhcp-range=...,ra-stateless', since: [2, 61]},
  {option: 'enable-ra', what: 'enable-ra', since: [2, 60]},
  {option: 'dhcp-option', value: /(^|,)option6:/, what: 'dhcp-option=option6:', since: [2, 60]},
  {option: 'dhcp-match', value: /^set:/, what: 'dhcp-match=set:<tag>', since: [2, 53]},
  {option: 'dhcp-range', value: /^tag:/, what: 'dhcp-range=tag:<tag>', since: [2, 53]},
]

/** The needs these options meet, newest first (one per `what`). */
export function dnsmasqNeeds(options: readonly DnsmasqOption[]): DnsmasqNeed[] {
  return NEEDS.filter((n) => options.some((o) => o.name === n.option && (!n.value || n.value.test(o.value))))
    .map(({option, what, since}) => ({option, what, since}))
}

/** `Dnsmasq version 2.90  Copyright ...` (the first line of `dnsmasq --version`) -> [2, 90]. */
export function parseDnsmasqVersion(text: string): DnsmasqVersion | undefined {
  const m = /\bversion\s+(\d+)\.(\d+)/i.exec(text)
  return m ? [Number(m[1]), Number(m[2])] : undefined
}

export function versionText(v: DnsmasqVersion): string {
  return `${v[0]}.${v[1]}`
}

/** The needs `version` falls short of, newest first. */
export function unmetNeeds(needs: readonly DnsmasqNeed[], version: DnsmasqVersion): DnsmasqNeed[] {
  const older = (a: DnsmasqVersion, b: DnsmasqVersion) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1])
  return needs.filter((n) => older(version, n.since))
}
