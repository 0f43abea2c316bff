import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {probePath} from '../../../src/core/health/path.js'

describe('probePath: the WAN-path decision', () => {
  const base = {wanInterface: 'ens7', roleSource: '/run/ha-tool/state.json', wan: {exists: true, v4: '198.51.100.10'}}

  test('wan on the MASTER: probes bound to the WAN address', () => {
    assert.deepEqual(probePath({...base, via: 'wan', role: 'MASTER'}), {mode: 'wan', dev: 'ens7', v4: '198.51.100.10', v6: undefined})
  })

  test('wan on a BACKUP or in FAULT: standby, never probing the WAN', () => {
    for (const role of ['BACKUP', 'FAULT', 'STOP'] as const) {
      const p = probePath({...base, via: 'wan', role})
      assert.equal(p.mode, 'standby', String(role))
    }
  })

  test('no role recorded and none from keepalived: "unknown", by the documented rule (no WAN probes, counted healthy)', () => {
    const p = probePath({...base, via: 'wan', role: undefined})
    assert.equal(p.mode, 'unknown')
    assert.ok(p.mode === 'unknown' && /^unknown: no role recorded \(\/run\/ha-tool\/state\.json\) and keepalived did not tell over D-Bus/.test(p.reason), p.mode === 'unknown' ? p.reason : '')
  })

  test('auto follows whether a WAN interface is configured; main ignores the role', () => {
    assert.equal(probePath({...base, via: 'auto', role: 'BACKUP'}).mode, 'standby')
    assert.equal(probePath({...base, wanInterface: '', via: 'auto', role: 'BACKUP'}).mode, 'main')
    assert.equal(probePath({...base, via: 'main', role: 'BACKUP'}).mode, 'main')
  })
})
