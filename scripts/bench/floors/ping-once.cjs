#!/usr/bin/env node
// (CommonJS: see bin/run.js for why; a bare script is what this floor stands for.)
// The floor for `ha-tool check`: a bare Node script that spawns ping once, as a shell-script replacement would.
const {execFile} = require('node:child_process')
execFile('ping', ['-n', '-q', '-c', '1', '-W', '1', process.argv[2] ?? '127.0.0.1'], (err) => { process.exitCode = err ? 1 : 0 })
