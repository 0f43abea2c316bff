#!/usr/bin/env node
'use strict'
// keepalived spawns `check` and `notify` every interval and transition: they load one CommonJS
// bundle each (dist/hot/<name>.cjs) and never oclif. Everything else, and their --help, goes
// to oclif. This file is CommonJS (bin/package.json) because the ESM loader alone costs ~4 ms.
const {join} = require('node:path')
const argv = process.argv.slice(2)
const [name] = argv
// dnsmasq runs `leases hook` on every lease change (which runs `leases receive` on the peer), and
// `leases merge` must keep up with sort(1).
const hotLeases = name === 'leases' && (argv[1] === 'merge' || argv[1] === 'hook' || argv[1] === 'receive')
if ((name === 'check' || name === 'notify' || hotLeases) && !argv.includes('--help') && !argv.includes('-h')) {
  require(join(__dirname, '..', 'dist', 'hot', `${name}.cjs`)).main(argv.slice(1))
} else {
  require('@oclif/core').execute({dir: join(__dirname, '..')}).catch(require('@oclif/core').handle)
}
