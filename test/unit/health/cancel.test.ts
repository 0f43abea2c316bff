import assert from 'node:assert/strict'
import {test} from 'node:test'
import {createCancel} from '../../../src/core/health/cancel.js'

test('cancel calls each subscriber once; unsubscribed ones and late cancels do not repeat', async () => {
  const c = createCancel()
  const calls: string[] = []
  c.onCancel(() => calls.push('a'))
  const off = c.onCancel(() => calls.push('b'))
  off()
  c.cancel()
  c.cancel()
  assert.equal(c.cancelled, true)
  assert.deepEqual(calls, ['a'])
  c.onCancel(() => calls.push('late'))
  assert.deepEqual(calls, ['a'], 'a subscriber after the cancel is called in a microtask, not inline')
  await Promise.resolve()
  assert.deepEqual(calls, ['a', 'late'])
})
