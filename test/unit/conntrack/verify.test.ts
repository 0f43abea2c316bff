// Whether a commit really happened (conntrackd exits 0 either way), and whether a returning BACKUP caught up.
import assert from 'node:assert/strict'
import {describe, test} from 'node:test'
import {compareFailback, judgeCommit, parseCommitLog} from '../../../src/core/conntrack/verify.js'

// Lines as conntrackd 1.4.7 writes them to its LogFile.
const at = '[Sat Nov 21 11:49:47 2026] (pid=8506) [notice] '
const committed = (n: number) => `${at}committing all external caches\n${at}Committed ${n} new entries\n${at}commit has taken 0.000089 seconds\n`

describe('parseCommitLog', () => {
  test('a finished commit: its count', () => {
    assert.deepEqual(parseCommitLog(committed(42)), {committed: 42, failed: 0, skipped: false})
  })
  test('entries that failed are counted', () => {
    const text = `${at}committing all external caches\n${at}Committed 40 new entries\n${at}2 entries can't be committed\n`
    assert.deepEqual(parseCommitLog(text), {committed: 40, failed: 2, skipped: false})
  })
  test('a skipped commit (another in progress)', () => {
    assert.deepEqual(parseCommitLog(`${at}commit already in progress, skipping\n`), {skipped: true})
  })
  test('a no-op commit (DisableExternalCache on) logs no count', () => {
    assert.deepEqual(parseCommitLog(`${at}committing all external caches\n`), {skipped: false})
  })
})

describe('judgeCommit', () => {
  test('the log is the proof: count and kernel table growth', () => {
    const v = judgeCommit({externalBefore: 3, kernelBefore: 0, kernelAfter: 3, log: {committed: 3, failed: 0, skipped: false}})
    assert.deepEqual(v, {ok: true, how: 'log', committed: 3, message: 'committed 3 of 3 external entries; kernel table 0 -> 3'})
  })
  test('a skipped commit fails although conntrackd exited 0', () => {
    const v = judgeCommit({externalBefore: 3, kernelBefore: 0, kernelAfter: 0, log: {skipped: true}})
    assert.equal(v.ok, false)
    assert.match(v.message, /skipped the commit/)
  })
  test('entries that could not be committed fail the step', () => {
    const v = judgeCommit({externalBefore: 5, log: {committed: 3, failed: 2, skipped: false}})
    assert.equal(v.ok, false)
    assert.match(v.message, /2 could not be committed/)
  })
  test('without a log: the kernel table must hold at least what the external cache held', () => {
    assert.deepEqual(judgeCommit({externalBefore: 4, kernelBefore: 1, kernelAfter: 5}).how, 'kernel-count')
    assert.equal(judgeCommit({externalBefore: 4, kernelBefore: 1, kernelAfter: 5}).ok, true)
    const bad = judgeCommit({externalBefore: 4, kernelBefore: 1, kernelAfter: 1})
    assert.equal(bad.ok, false)
    assert.match(bad.message, /held 4 entries but the kernel table has 1/)
  })
  test('an empty external cache is nothing to commit, not a failure', () => {
    assert.deepEqual(judgeCommit({externalBefore: 0, kernelBefore: 7, kernelAfter: 7}), {ok: true, how: 'empty', committed: 0, message: 'nothing to commit: the external cache was empty; kernel table 7 -> 7'})
  })
  test('no evidence at all is not confirmed', () => {
    assert.equal(judgeCommit({}).ok, false)
    assert.equal(judgeCommit({externalBefore: 3}).ok, false)
  })
})

describe('compareFailback', () => {
  test('all of the MASTER\'s flows: in sync', () => {
    assert.deepEqual(compareFailback(100, 100, {percent: 2, absolute: 2}), {verdict: 'in-sync', local: 100, peer: 100, missing: 0, allowed: 2})
  })
  test('a few missing within tolerance (percent, at least the absolute floor)', () => {
    assert.equal(compareFailback(980, 1000, {percent: 2, absolute: 2}).verdict, 'in-sync')
    assert.equal(compareFailback(979, 1000, {percent: 2, absolute: 2}).verdict, 'behind')
    assert.equal(compareFailback(0, 2, {percent: 2, absolute: 2}).verdict, 'in-sync')
    assert.equal(compareFailback(0, 3, {percent: 0, absolute: 2}).verdict, 'behind')
  })
  test('a returning node with nothing from a busy MASTER is behind', () => {
    assert.deepEqual(compareFailback(0, 500, {percent: 2, absolute: 2}), {verdict: 'behind', local: 0, peer: 500, missing: 500, allowed: 10})
  })
  test('more than the MASTER (its own stale entries) is not missing anything', () => {
    assert.equal(compareFailback(120, 100, {percent: 0, absolute: 0}).missing, 0)
  })
})
