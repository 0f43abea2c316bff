import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import type {IpRoute} from '../../../src/adapters/iproute.js'
import type {Networkd} from '../../../src/adapters/networkd.js'
import {createWanExecutors} from '../../../src/app/steps/wan.js'
import {runStep} from '../../../src/app/steps/types.js'
import {silentLogger} from '../../../src/adapters/log.js'

/** The dhcp.restart executor against a fake networkd: it checks the delegation again before restarting. */
function executors(held: string[]) {
  const calls: string[] = []
  const ip = {delegatedPrefixes: async () => { calls.push('read'); return held }} as unknown as IpRoute
  const nd = {reconfigure: async (dev: string) => { calls.push(`reconfigure ${dev}`) }, renew: async (dev: string) => { calls.push(`renew ${dev}`) }} as unknown as Networkd
  const ex = createWanExecutors({ip, silence: {} as never, networkd: async () => nd, dropin: {dir: '/run/systemd/network', write: () => true}, sleep: async () => {}, mono: () => 0})
  return {ex, calls}
}

describe('dhcp.restart', () => {
  it('no delegated prefix now: ReconfigureLink on the WAN', async () => {
    const {ex, calls} = executors([])
    const r = await runStep(ex as never, {kind: 'dhcp.restart', args: {dev: 'wan7'}, why: 'test', critical: false}, {log: silentLogger})
    assert.deepEqual(calls, ['read', 'reconfigure wan7'])
    assert.match(String((r as {detail?: string} | undefined)?.detail), /ReconfigureLink/)
  })
  it('the delegation came back since the plan: nothing restarted', async () => {
    const {ex, calls} = executors(['2001:db8:42::/56'])
    const r = await runStep(ex as never, {kind: 'dhcp.restart', args: {dev: 'wan7'}, why: 'test', critical: false}, {log: silentLogger})
    assert.deepEqual(calls, ['read'])
    assert.match(String((r as {detail?: string} | undefined)?.detail), /holds 2001:db8:42::\/56/)
  })
})
