import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {createWanObserver} from '../../../src/app/wan-observer.js'
import type {ObservedWan} from '../../../src/core/transition/types.js'

const view = (ruleCount: number): ObservedWan => ({ruleCount, link: {exists: true, adminUp: true, carrier: true}, hasAddress: true, hasDefaultRoute: true, silenced: false})

describe('the daemon\'s WAN observer', () => {
  it('reads once while nothing changes, again after a change or an invalidate', async () => {
    let reads = 0
    const o = createWanObserver(async () => view(++reads))
    assert.equal((await o.get()).ruleCount, 1)
    assert.equal((await o.get()).ruleCount, 1)
    o.changed(false)
    assert.equal((await o.get()).ruleCount, 2)
    o.invalidate()
    assert.equal((await o.get()).ruleCount, 3)
    assert.equal(reads, 3)
  })
  it('does not cache a read that a change overtook', async () => {
    let reads = 0
    const o: ReturnType<typeof createWanObserver> = createWanObserver(async () => { reads++; if (reads === 1) o.changed(false); return view(reads) })
    await o.get()
    await o.get()
    assert.equal(reads, 2)
  })
  it('without a working watcher it reads every time', async () => {
    let reads = 0
    const o = createWanObserver(async () => view(++reads))
    o.changed(true)
    await o.get()
    await o.get()
    assert.equal(reads, 2)
  })
})
