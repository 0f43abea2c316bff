#!/usr/bin/env node
// The floor for `ha-tool notify` on a converged node in its default mode (keep-up, nftables silence,
// wan.ipv6 = true): a bare Node script that spawns the same three children notify does, at once:
// `nft` (is the WAN silenced?), `ip` (IPv4 rules, routes, link) and `ip -6` (IPv6 rules and routes;
// a batch cannot switch family, so it is a process of its own).
const {execFile} = require('node:child_process')
const done = (err) => { if (err && !/No such file/.test(err.message)) process.exitCode = 1 }
execFile('nft', ['list', 'table', 'netdev', process.argv[2] ?? 'ha_tool_wan_silence'], done)
execFile('ip', ['-j', 'rule', 'show'], done)
execFile('ip', ['-6', '-j', 'rule', 'show'], done)
