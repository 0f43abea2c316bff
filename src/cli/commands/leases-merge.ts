import {readLeaseBytes, writeLeaseBytes} from '../../wiring/cli.js'
import {mergeLeaseFiles} from '../../app/leases/merge-files.js'
import {subnetRule} from '../../app/leases/subnet-rule.js'
import type {Config} from '../../config/schema.js'
import {HaError} from '../../core/errors.js'
import {ExitCode} from '../../core/exit-codes.js'
import type {CommandSpec} from '../command.js'
import type {Invocation} from '../outcome.js'
import {latin1Text} from '../render/latin1.js'
import {type MergeCommandResult, renderLeasesMerge} from '../render/leases-merge.js'

/** `ha-tool leases merge`: fast path (bin/run.js) and the shim src/commands/leases/merge.ts. */
export const leasesMergeCommand: CommandSpec<MergeCommandResult> = {
  usage: 'ha-tool leases merge FILE... [-o OUT] [--json]',
  flags: {
    output: {type: 'string', char: 'o', description: 'write the merged file here (atomically; may be one of the inputs) instead of stdout', helpValue: 'OUT'},
    subnet: {type: 'string', multiple: true, description: 'a subnet or IPv6 prefix dnsmasq serves (repeatable; added to dnsmasq.subnets and lan.address): a client keeps one lease in each', helpValue: 'PREFIX'},
  },
  args: [{name: 'files', description: 'lease files; the first is the base the report is relative to', required: true}],
  variadic: true,
  render: renderLeasesMerge,
  async run(inv) {
    const out = inv.flags.output as string | undefined
    const config = configured(inv)
    const subnets = subnetRule(config, (inv.flags.subnet as string[] | undefined) ?? [])
    const r = mergeLeaseFiles({read: readLeaseBytes, write: writeLeaseBytes}, inv.args, {out, now: Math.floor(Date.now() / 1000), leaseMax: config?.dnsmasq.lease_max ?? 0, subnets, detail: inv.json})
    const {bytes, ...rest} = r
    if (out) return {result: rest, exit: ExitCode.OK}
    // No -o: stdout is the merged file; --json carries it as `database`.
    return {result: {...rest, database: latin1Text(bytes)}, exit: ExitCode.OK}
  },
}

/** The config when there is one (dnsmasq.lease_max, dnsmasq.subnets, lan.address); a merge by hand needs none. */
function configured(inv: Invocation): Config | undefined {
  try {
    return inv.ctx.config().config
  } catch (error) {
    const explicit = inv.flags.config !== undefined || process.env.HA_TOOL_CONFIG
    if (!explicit && error instanceof HaError && /no such config file/.test(error.message)) return undefined
    throw error
  }
}
