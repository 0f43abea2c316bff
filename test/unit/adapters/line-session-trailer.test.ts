import assert from 'node:assert/strict'
import {chmodSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {test} from 'node:test'
import {createIpSession} from '../../../src/adapters/line-session.js'

// A stand-in for `ip -force -batch -` whose "Command failed -:N" line after a look-up's error comes in a later
// write, as a loaded machine delivers it: the next command's result must not take it for its own error.
test('ip session: a late "Command failed" trailer of the look-up is not the next command\'s error; a real error still is', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hat-ls-'))
  const fake = join(dir, 'fake-ip.mjs')
  writeFileSync(fake, `#!/usr/bin/env node
import {createInterface} from 'node:readline'
let n = 0
for await (const line of createInterface({input: process.stdin})) {
  n++
  const m = /^link show dev (\\S+)$/.exec(line)
  if (m) {
    process.stderr.write('Device "' + m[1] + '" does not exist.\\n')
    await new Promise((r) => setTimeout(r, 30))
    process.stderr.write('Command failed -:' + n + '\\n')
  } else if (line.startsWith('rule del')) {
    process.stderr.write('RTNETLINK answers: No such file or directory\\nCommand failed -:' + n + '\\n')
  }
}
`)
  chmodSync(fake, 0o755)
  const s = createIpSession(4, [process.execPath, fake])
  try {
    await s.run('rule add priority 32770 lookup 250', 5000)
    await s.run('rule add priority 32771 lookup 250', 5000)
    await assert.rejects(s.run('rule del priority 32772 lookup 250', 5000), /RTNETLINK answers: No such file or directory/)
    await s.run('rule add priority 32773 lookup 250', 5000)
  } finally {
    s.close()
    rmSync(dir, {recursive: true, force: true})
  }
})
