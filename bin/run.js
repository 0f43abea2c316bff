#!/usr/bin/env node
// keepalived spawns `check` and `notify` every interval and transition: they take a fast path
// that never loads oclif (src/cli/hot.ts). Everything else, and their --help, goes to oclif.
const argv = process.argv.slice(2)
if ((argv[0] === 'check' || argv[0] === 'notify') && !argv.includes('--help') && !argv.includes('-h')) {
  const {runHot} = await import('../dist/hot/index.js')
  process.exitCode = await runHot(argv)
} else {
  const {execute} = await import('@oclif/core')
  await execute({dir: import.meta.url})
}
