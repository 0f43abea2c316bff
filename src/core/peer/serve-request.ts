import {shellWords} from '../parse/shell-words.js'

export {shellWords}

/**
 * What the peer's root key may run here: the receiving side of the peer port, nothing else.
 * sshd hands a forced command the client's command line in SSH_ORIGINAL_COMMAND; this decides,
 * without a shell, which of the few requests it is. The client's program words (its idea of
 * where ha-tool lives) and its --config are ignored: this node runs its own ha-tool, own config.
 */
export type ServeRequest =
  | {kind: 'ha-tool'; args: string[]}
  | {kind: 'cat'; path: string}
  | {kind: 'refused'; why: string}

/** Subcommands the peer may run, as exact word lists (flags the caller may add follow in `flags`). */
const ALLOWED: ReadonlyArray<{words: readonly string[]; flags: readonly string[]}> = [
  {words: ['status'], flags: ['--json']},
  {words: ['config', 'show'], flags: ['--json']},
  {words: ['leases', 'receive'], flags: []},
  // After a replication queue overflow the sender asks for a full pull of its file (app/leases/replicator.ts).
  {words: ['leases', 'sync'], flags: []},
  {words: ['peer', 'flows'], flags: []},
]
const VERBS = new Set(['status', 'config', 'leases', 'peer', 'cat'])

/**
 * Decides one request. `files` are the only files this node hands out: its dnsmasq lease file
 * (lease sync) and its conntrackd.conf (doctor compares the sync channels).
 */
export function decideServeRequest(original: string | undefined, files: readonly string[]): ServeRequest {
  if (original === undefined || original.trim() === '') return {kind: 'refused', why: 'no command (SSH_ORIGINAL_COMMAND is empty): this key may only run ha-tool\'s peer requests'}
  const words = shellWords(original)
  if (!words) return {kind: 'refused', why: `not a plain command line: ${JSON.stringify(original.slice(0, 200))}`}
  const at = words.findIndex((w) => VERBS.has(w))
  if (at < 0) return {kind: 'refused', why: `not a peer request: ${JSON.stringify(original.slice(0, 200))}`}
  const rest = words.slice(at)
  if (rest[0] === 'cat') {
    if (rest.length === 3 && rest[1] === '--' && files.includes(rest[2])) return {kind: 'cat', path: rest[2]}
    return {kind: 'refused', why: `only ${files.join(' and ')} may be fetched, asked: ${JSON.stringify(rest.slice(1).join(' '))}`}
  }
  // The caller's --config names a file on ITS idea of this node: this node's own config is used.
  const args: string[] = []
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '--config') { i++; continue }
    if (rest[i].startsWith('--config=')) continue
    args.push(rest[i])
  }
  for (const a of ALLOWED) {
    if (args.length < a.words.length || a.words.some((w, i) => args[i] !== w)) continue
    const extra = args.slice(a.words.length)
    if (extra.every((f) => a.flags.includes(f))) return {kind: 'ha-tool', args}
    return {kind: 'refused', why: `${a.words.join(' ')}: arguments not allowed from the peer: ${extra.join(' ')}`}
  }
  return {kind: 'refused', why: `not a peer request: ${JSON.stringify(args.join(' ').slice(0, 200))} (allowed: ${ALLOWED.map((a) => a.words.join(' ')).join(', ')}, cat -- ${files.join('|')})`}
}

/** The authorized_keys line that lets the other node's root key run only the receiving side here. */
export function authorizedKeysLine(o: {binary: string; configPath: string; from?: string; publicKey?: string}): string {
  const opts = ['restrict', `command="${o.binary} peer serve${o.configPath ? ` --config ${o.configPath}` : ''}"`]
  if (o.from) opts.push(`from="${o.from}"`)
  return `${opts.join(',')} ${o.publicKey ?? 'ssh-ed25519 AAAA...REPLACE-WITH-THE-CALLING-NODE-S-PUBLIC-KEY'}`
}
