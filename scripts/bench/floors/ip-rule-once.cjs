#!/usr/bin/env node
// The floor for `ha-tool notify` on a converged node: a bare Node script that spawns `ip -j rule show` once.
const {execFile} = require('node:child_process')
execFile('ip', ['-j', 'rule', 'show'], (err) => { process.exitCode = err ? 1 : 0 })
