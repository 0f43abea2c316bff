// The shipped daemon unit starts before keepalived (docs/failback.md, "Start-up order"): with
// preemption, keepalived must not read the track_file before the failback gate's first write.
import assert from 'node:assert/strict'
import {readFileSync} from 'node:fs'
import {join} from 'node:path'
import {test} from 'node:test'

const ROOT = new URL('../../..', import.meta.url).pathname

/** The values of KEY in the unit's [Unit] section, split on whitespace (a key may repeat). */
function unitValues(text: string, key: string): string[] {
  const section = /^\[Unit\]\n([\s\S]*?)(?=^\[|$(?![\s\S]))/m.exec(text)?.[1] ?? ''
  return section.split('\n').filter((l) => l.startsWith(`${key}=`)).flatMap((l) => l.slice(key.length + 1).trim().split(/\s+/))
}

test('ha-tool-daemon.service is ordered Before=keepalived.service, and not after it (no ordering cycle)', () => {
  const unit = readFileSync(join(ROOT, 'scripts/packaging/ha-tool-daemon.service'), 'utf8')
  assert.ok(unitValues(unit, 'Before').includes('keepalived.service'), 'Before=keepalived.service in [Unit]')
  assert.ok(!unitValues(unit, 'After').includes('keepalived.service'))
})
