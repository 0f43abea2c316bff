import {buildExample} from '../config-example.js'
import {dnsmasqNeeds, parseDnsmasqVersion, unmetNeeds, versionText} from '../../core/doctor/dnsmasq-version.js'
import {HaError} from '../../core/errors.js'
import {parseDnsmasqConf} from '../../core/parse/dnsmasq-conf.js'
import {type DoctorCheck, fail, pass, skip} from './types.js'

/**
 * dnsmasq refuses to start on an option it does not know: the installed one must be as recent as what
 * `config example dnsmasq` prints for this config (lan.ipv6 turns on no-dhcpv6-interface, dnsmasq 2.90;
 * Debian 12 ships 2.89).
 */
export const dnsmasqVersion: DoctorCheck = {
  id: 'dnsmasq-version',
  title: 'dnsmasq is recent enough for the dnsmasq example of this config',
  async run(ctx) {
    if (!ctx.dnsmasq()) return skip(`${ctx.config.doctor.dnsmasq_conf}: not found (dnsmasq not used for the LAN?)`)
    let example: string
    try {
      example = buildExample('dnsmasq', ctx.config, undefined)
    } catch (error) {
      if (error instanceof HaError) return skip(`no dnsmasq example for this config: ${error.message}`)
      throw error
    }
    const needs = dnsmasqNeeds(parseDnsmasqConf(example))
    let text: string
    try {
      text = await ctx.deps.probes.dnsmasqVersion()
    } catch (error) {
      // Not installed (the exec port's error), or it would not run: either way no version to judge.
      return skip(`cannot run \`dnsmasq --version\` here: ${(error as Error).message}`)
    }
    const version = parseDnsmasqVersion(text)
    if (!version) return skip(`no version in \`dnsmasq --version\`: ${JSON.stringify(text.trim().split('\n')[0] ?? '')}`)
    const newest = needs[0]
    const unmet = unmetNeeds(needs, version)
    if (unmet.length === 0) return pass(`dnsmasq ${versionText(version)}${newest ? `; the example needs ${versionText(newest.since)} (${newest.what})` : ''}`)
    const list = unmet.map((n) => `${n.what} (dnsmasq ${versionText(n.since)})`).join(', ')
    return fail(`dnsmasq ${versionText(version)} is older than what \`config example dnsmasq\` prints for this config: ${list}; it will not start with that dnsmasq.conf`,
      `install dnsmasq ${versionText(unmet[0].since)} or later (e.g. from your distribution's backports)`)
  },
}
