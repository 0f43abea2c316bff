#!/usr/bin/env node
// Generates docs/commands.md (from oclif.manifest.json: the same text as --help) and docs/configuration.md
// (from the config spec, src/config/sections/*: every key with type, default and meaning). Run it as
// `npm run docs`; with --check it fails (exit 1) when a committed file differs, as CI does.
// Needs tsx (`node --import tsx scripts/docs.mjs`) to read the spec from src/.
import {readFileSync, writeFileSync} from 'node:fs'
import {join} from 'node:path'
import {SCHEMA} from '../src/config/schema.ts'
import {EXIT_CODE_MEANINGS} from '../src/core/exit-codes.ts'

const root = new URL('..', import.meta.url).pathname
const check = process.argv.includes('--check')
const BIN = 'ha-tool'
const GENERATED = (source, command) => `<!-- Generated from ${source} by ${command}: edit the source, not this file. -->`

const cell = (s) => String(s).replaceAll('|', '\\|').replaceAll('\n', ' ')
/** Prose in a table cell: no raw HTML (`<table>` in a key's doc is text). */
const txt = (s) => cell(s).replaceAll('<', '&lt;').replaceAll('>', '&gt;')
const code = (s) => (s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``)

/** --help text as Markdown: indented blocks (config snippets, tables of values) stay verbatim in a fence. */
function prose(text) {
  const out = []
  for (const para of text.replaceAll('<%= config.bin %>', BIN).split(/\n\s*\n/)) {
    const lines = para.split('\n')
    const verbatim = lines.some((l) => /^\s/.test(l)) || lines.length > 1 && lines.slice(1).some((l) => /^\S/.test(l) && /^[A-Z ]+$/.test(lines[0]))
    out.push(verbatim ? `\`\`\`text\n${para.replace(/\s+$/, '')}\n\`\`\`` : lines.join(' ').replaceAll('<', '&lt;').replaceAll('>', '&gt;'))
  }
  return out.join('\n\n')
}

function flagUsage(f) {
  const name = `${f.char ? `-${f.char}, ` : ''}--${f.name}`
  if (f.type === 'boolean') return f.allowNo ? `--[no-]${f.name}` : name
  return `${name} ${f.helpValue ?? (f.options ? f.options.join('|') : 'VALUE')}`
}

function commandsMd() {
  const manifest = JSON.parse(readFileSync(join(root, 'oclif.manifest.json'), 'utf8'))
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))
  const commands = Object.values(manifest.commands).filter((c) => !c.hidden).sort((a, b) => a.id.localeCompare(b.id))
  const title = (c) => `${BIN} ${c.id.replaceAll(':', ' ')}`
  const anchor = (c) => title(c).replaceAll(' ', '-')
  const globals = new Map()
  for (const c of commands) for (const f of Object.values(c.flags)) if (f.helpGroup === 'GLOBAL' || f.name === 'json') globals.set(f.name, f)
  const out = [
    '# Commands',
    '',
    GENERATED('the commands\' --help (oclif.manifest.json)', '`npm run docs`'),
    '',
    `Every command prints its result on stdout (with \`--json\`, as JSON: [json.md](json.md)), logs as JSON on stderr, and exits with a code from the [exit-code table](#exit-codes). \`${BIN} COMMAND --help\` prints the same text as this page.`,
    '',
    '| command | what it does |',
    '|---|---|',
    ...commands.map((c) => `| [${code(title(c))}](#${anchor(c)}) | ${txt(c.summary ?? '')} |`),
    '',
    '## Flags every command takes',
    '',
    '| flag | meaning |',
    '|---|---|',
    ...[...globals.values()].sort((a, b) => a.name.localeCompare(b.name)).map((f) => `| ${cell(code(flagUsage(f)))} | ${txt(f.description ?? f.summary ?? '')} |`),
    '',
    '## Exit codes',
    '',
    '| code | meaning |',
    '|---|---|',
    ...EXIT_CODE_MEANINGS.map(([n, m]) => `| ${n} | ${txt(m)} |`),
    '',
  ]
  for (const c of commands) {
    const args = Object.values(c.args ?? {})
    const flags = Object.values(c.flags).filter((f) => !globals.has(f.name) && !f.hidden)
    const usage = [BIN, c.id.replaceAll(':', ' '), ...args.map((a) => (a.required ? a.name.toUpperCase() : `[${a.name.toUpperCase()}]`)), c.strict === false ? '[ARGS...]' : '', flags.length ? '[FLAGS]' : ''].filter(Boolean).join(' ')
    out.push(`## ${title(c)}`, '', txt(c.summary ?? ''), '', '```text', usage, '```', '')
    if (args.length) {
      out.push('| argument | meaning |', '|---|---|')
      for (const a of args) out.push(`| ${code(a.name.toUpperCase())} | ${txt(a.description ?? '')}${a.options ? ` (${a.options.join(', ')})` : ''}${a.required ? '' : ' (optional)'} |`)
      out.push('')
    }
    if (flags.length) {
      out.push('| flag | meaning |', '|---|---|')
      for (const f of flags) {
        const extra = [f.options && f.type !== 'boolean' ? `one of ${f.options.join(', ')}` : '', f.default !== undefined && f.default !== false ? `default ${f.default}` : '', f.multiple && !/repeatable/.test(f.description ?? '') ? 'repeatable' : ''].filter(Boolean).join('; ')
        out.push(`| ${cell(code(flagUsage(f)))} | ${txt(f.description ?? f.summary ?? '')}${extra ? ` (${extra})` : ''} |`)
      }
      out.push('')
    }
    // The exit-code table is above, once.
    const description = (c.description ?? '').replace(/\n*EXIT CODES\n[\s\S]*$/, '').trim()
    if (description) out.push(prose(description), '')
    if (c.examples?.length) out.push('Examples:', '', '```sh', ...c.examples.map((e) => (typeof e === 'string' ? e : e.command).replaceAll('<%= config.bin %>', BIN)), '```', '')
  }
  out.push(`<!-- ${BIN} ${pkg.version} -->`, '')
  return out.join('\n')
}

const SECTION_DOCS = {
  wan: 'The WAN interface with the shared MAC and lease, and how a transition moves it.',
  lan: 'This node\'s LAN and the VIP the LAN clients use as gateway and DNS server.',
  sync: 'The link between the two nodes (VRRP, conntrackd, lease replication).',
  keepalived: 'How ha-tool finds out about keepalived and its role.',
  conntrackd: 'Connection-tracking sync: the conntrackd steps of a transition (off unless enabled).',
  dnsmasq: 'DHCP lease replication between the nodes (off unless enabled).',
  peer: 'The other node, reached over ssh by leases, status, doctor and the failback check.',
  health: '`ha-tool check` and the daemon\'s health monitor (track_file).',
  state: 'Where ha-tool keeps its state: transitions, lock, track_file.',
  metrics: 'Prometheus metrics written by `ha-tool daemon` ([metrics.md](metrics.md)).',
  log: 'Logs: pino JSON on stderr, or in a file.',
  doctor: '`ha-tool doctor`.',
}

function typeOf(spec) {
  switch (spec.type) {
    case 'int': return `integer ${spec.min}..${spec.max}`
    case 'bool': return 'boolean'
    case 'enum': return spec.values.map((v) => code(JSON.stringify(v))).join(' \\| ')
    case 'list': return 'array of strings'
    default: return 'string'
  }
}

function configurationMd() {
  const out = [
    '# Configuration',
    '',
    GENERATED('the config spec (src/config/sections/*.ts)', '`npm run docs`'),
    '',
    '`/etc/ha-tool/config.toml` (or `--config PATH`, or `$HA_TOOL_CONFIG`), TOML. Every key has a default; only `wan.interface` is required. Unknown sections and keys are errors, and a bad file is refused with one line naming the file, the line and the key (exit 78):',
    '',
    '```',
    '$ ha-tool config validate gw1.toml',
    'gw1.toml:3: wan.table: expected an integer 1..4294967295, got "main"',
    '```',
    '',
    '`ha-tool config show` prints the effective configuration with these same descriptions; `ha-tool config example ha-tool` a commented file to start from; `ha-tool config example keepalived` (and `networkd`, `conntrackd`, `dnsmasq`, `nftables`) the other daemons\' files, built from this one.',
    '',
    ...Object.keys(SCHEMA).map((s) => `- [\`[${s}]\`](#${s})`),
    '',
  ]
  for (const [name, section] of Object.entries(SCHEMA)) {
    out.push(`## ${name}`, '')
    if (SECTION_DOCS[name]) out.push(SECTION_DOCS[name], '')
    out.push('| key | type | default | meaning |', '|---|---|---|---|')
    for (const [key, spec] of Object.entries(section)) {
      const def = spec.required ? '(required)' : code(JSON.stringify(spec.default))
      out.push(`| \`${name}.${key}\` | ${typeOf(spec)} | ${def} | ${txt(spec.doc)} |`)
    }
    out.push('')
  }
  return out.join('\n')
}

const files = [['docs/commands.md', commandsMd()], ['docs/configuration.md', configurationMd()]]
let stale = []
for (const [file, text] of files) {
  const path = join(root, file)
  let before = ''
  try { before = readFileSync(path, 'utf8') } catch { /* new */ }
  if (before === text) continue
  if (check) stale.push(file)
  else writeFileSync(path, text)
}
if (check && stale.length) {
  console.error(`${stale.join(', ')}: stale; run npm run docs and commit the result`)
  process.exit(1)
}
console.log(check ? 'docs/commands.md and docs/configuration.md are up to date' : `wrote ${files.map(([f]) => f).join(', ')}`)
