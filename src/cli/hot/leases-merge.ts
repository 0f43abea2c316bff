import {readLeaseBytes, writeLeaseBytes} from '../../adapters/lease-store.js'
import {mergeLeaseFiles} from '../../app/leases/merge-files.js'
import {subnetRule} from '../../app/leases/subnet-rule.js'
import type {Config} from '../../config/schema.js'
import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import {renderMergeReport} from '../../core/leases/render.js'
import type {HotCommand} from '../hot.js'
import {latin1Text} from './leases-text.js'

/** `ha-tool leases merge`: shared by the fast path (bin/run.js) and src/commands/leases/merge.ts. */
export const leasesMergeCommand: HotCommand = {
  usage: 'ha-tool leases merge FILE... [-o OUT] [--json]',
  flags: {
    output: {type: 'string', char: 'o', description: 'write the merged file here (atomically; may be one of the inputs) instead of stdout', helpValue: 'OUT'},
    subnet: {type: 'string', multiple: true, description: 'a subnet or IPv6 prefix dnsmasq serves (repeatable; added to dnsmasq.subnets and lan.address): a client keeps one lease in each', helpValue: 'PREFIX'},
  },
  async run(inv) {
    const out = inv.flags.output as string | undefined
    const config = configured(inv)
    const subnets = subnetRule(config, (inv.flags.subnet as string[] | undefined) ?? [])
    const r = mergeLeaseFiles({read: readLeaseBytes, write: writeLeaseBytes}, inv.args, {out, now: Math.floor(Date.now() / 1000), leaseMax: config?.dnsmasq.lease_max ?? 0, subnets, detail: inv.json})
    const {bytes, ...rest} = r
    const head = `merged ${inv.args.length} file${inv.args.length === 1 ? '' : 's'}${out ? ` into ${out}` : ''}`
    if (out) return {result: rest, exit: ExitCode.OK, text: renderMergeReport(r.report, head)}
    // No -o: stdout is the merged file (its final newline comes from the printer); --json carries it as `database`.
    const database = latin1Text(bytes)
    return {result: {...rest, database}, exit: ExitCode.OK, text: database.endsWith('\n') ? database.slice(0, -1) : database}
  },
}

/** The config when there is one (dnsmasq.lease_max, dnsmasq.subnets, lan.address); a merge by hand needs none. */
function configured(inv: Parameters<HotCommand['run']>[0]): Config | undefined {
  try {
    return inv.ctx.config().config
  } catch (error) {
    const explicit = inv.flags.config !== undefined || process.env.HA_TOOL_CONFIG
    if (!explicit && error instanceof HaError && /no such config file/.test(error.message)) return undefined
    throw error
  }
}
