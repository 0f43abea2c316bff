#!/usr/bin/env node
// The floor for `ha-tool notify` on a converged node in keep-up mode with nftables silence: a bare
// Node script that spawns the same two children notify does, at once: `nft` (is the WAN
// silenced?) and `ip` (rules, routes, link).
const {execFile} = require('node:child_process')
const done = (err) => { if (err && !/No such file/.test(err.message)) process.exitCode = 1 }
execFile('nft', ['list', 'table', 'netdev', process.argv[2] ?? 'ha_tool_wan_silence'], done)
execFile('ip', ['-j', 'rule', 'show'], done)
