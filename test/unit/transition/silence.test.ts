import assert from 'node:assert/strict'
import {describe, it} from 'node:test'
import {silenceState, silenceTableScript} from '../../../src/core/nft/silence.js'
import {parseNftRuleset} from '../../../src/core/parse/nft-ruleset.js'

const listed = (gate: string) => `table netdev ha_tool_wan_silence {
\tchain ingress {
\t\ttype filter hook ingress device "wan0" priority -500; policy accept;
\t\tjump gate
\t\tdrop
\t}
\tchain egress {
\t\ttype filter hook egress device "wan0" priority -500; policy accept;
\t\tjump gate
\t\tdrop
\t}
\tchain gate {${gate}
\t}
}
`

describe('WAN silence table', () => {
  it('an empty gate is silenced, an accept in it opens the WAN', () => {
    assert.deepEqual(silenceState(parseNftRuleset(listed('')), 'ha_tool_wan_silence'), {present: true, device: 'wan0', hasGate: true, silenced: true})
    assert.deepEqual(silenceState(parseNftRuleset(listed('\n\t\taccept')), 'ha_tool_wan_silence'), {present: true, device: 'wan0', hasGate: true, silenced: false})
  })
  it('no table is not silenced; an older table without a gate (policy drop) is', () => {
    assert.deepEqual(silenceState([], 'ha_tool_wan_silence'), {present: false})
    const old = 'table netdev ha_tool_wan_silence {\n\tchain ingress {\n\t\ttype filter hook ingress device "ens7" priority -500; policy drop;\n\t}\n}\n'
    assert.deepEqual(silenceState(parseNftRuleset(old), 'ha_tool_wan_silence'), {present: true, device: 'ens7', hasGate: false, silenced: true})
  })
  it('the script builds the silenced layout for the device', () => {
    const script = silenceTableScript('ha_tool_wan_silence', 'wan0')
    assert.match(script, /^add table netdev ha_tool_wan_silence\ndelete table netdev ha_tool_wan_silence\n/)
    assert.match(script, /hook ingress device "wan0" priority -500; policy accept; jump gate; drop;/)
    assert.match(script, /hook egress device "wan0" priority -500; policy accept; jump gate; drop;/)
    assert.match(script, /chain gate \{ \}/)
  })
})
