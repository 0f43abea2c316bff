/**
 * conntrackd.conf, read for what ha-tool must know before it drives the daemon: the sync mode
 * (which commands are no-ops), whether the external cache exists (whether `-c` commits anything),
 * and where the UNIX socket, lock file and log file are (diagnosis and commit verification).
 * Pure: the text comes in, a description goes out. Keywords are case-sensitive as in
 * conntrackd's lexer; on/off/yes/no and mode names are not.
 */
export type SyncMode = 'FTFW' | 'NOTRACK' | 'ALARM'

export type SyncChannel = {transport: 'UDP' | 'Multicast' | 'TCP'; interface?: string; address?: string; peer?: string}

export type ConntrackdConf = {
  /** 'sync' with a Sync section; 'stats' without one (conntrackd then only counts, it replicates nothing). */
  kind: 'sync' | 'stats'
  /** The sync mode; FTFW when Sync has no Mode block (conntrackd's default, with a warning). */
  mode?: SyncMode
  modeDefaulted: boolean
  /** False with `DisableExternalCache on`: peer entries go straight into the kernel table. */
  externalCache: boolean
  internalCache: boolean
  /** General { UNIX { Path } }: the socket the client talks to; undefined = not configured. */
  socketPath?: string
  lockFile: string
  /** General { LogFile }: the file conntrackd logs to, undefined when off. */
  logFile?: string
  syslog: boolean
  /** Seconds between `-t` and the kernel-table flush (conntrackd's default 60). */
  purgeTimeout: number
  commitTimeout?: number
  startupResync: boolean
  expectationSync: boolean
  channels: SyncChannel[]
  /** General { HashSize } (conntrackd's default 65536). */
  hashSize: number
}

export type ConfProblem = {line: number; message: string}

export const DEFAULT_LOCK_FILE = '/var/lock/conntrackd.lock'
export const DEFAULT_LOG_FILE = '/var/log/conntrackd.log'
const DEFAULT_PURGE_TIMEOUT = 60
const DEFAULT_HASH_SIZE = 65536
/** Buckets conntrackd commits per step (fixed in conntrackd: general.commit_steps = 8192). */
export const COMMIT_STEPS = 8192

type Node = {words: string[]; line: number; children?: Node[]}

/** Thrown for a file conntrackd itself would refuse to parse (unbalanced braces). */
export class ConntrackdConfSyntaxError extends Error {
  constructor(readonly line: number, message: string) {
    super(`line ${line}: ${message}`)
    this.name = 'ConntrackdConfSyntaxError'
  }
}

/**
 * Parses conntrackd.conf. Returns the description and the problems found that matter to
 * ha-tool (settings conntrackd rejects or ignores); throws ConntrackdConfSyntaxError when the
 * block structure is broken.
 */
export function parseConntrackdConf(text: string): {conf: ConntrackdConf; problems: ConfProblem[]} {
  const root = parseTree(text)
  const problems: ConfProblem[] = []
  const conf: ConntrackdConf = {
    kind: 'stats',
    modeDefaulted: false,
    externalCache: true,
    internalCache: true,
    lockFile: DEFAULT_LOCK_FILE,
    syslog: false,
    purgeTimeout: DEFAULT_PURGE_TIMEOUT,
    startupResync: false,
    expectationSync: false,
    channels: [],
    hashSize: DEFAULT_HASH_SIZE,
  }
  const setPurge = (n: Node) => {
    const v = intArg(n, problems)
    if (v !== undefined && v > 0) conf.purgeTimeout = v
  }

  for (const top of root) {
    const name = top.words[0]
    if (name === 'Sync' && top.children) {
      conf.kind = 'sync'
      for (const s of top.children) {
        const key = s.words[0]
        if (key === 'Mode' && s.children) {
          const mode = modeOf(s.words[1])
          if (!mode) { problems.push({line: s.line, message: `unknown sync mode ${JSON.stringify(s.words[1] ?? '')}`}); continue }
          if (conf.mode) problems.push({line: s.line, message: `a second Mode block (${mode}); conntrackd uses one mode`})
          conf.mode = mode
          for (const m of s.children) {
            const k = m.words[0]
            if (k === 'DisableExternalCache') {
              if (mode === 'ALARM') problems.push({line: m.line, message: 'DisableExternalCache is not valid in Mode ALARM (conntrackd refuses this file)'})
              const b = boolArg(m, problems)
              if (b !== undefined) conf.externalCache = !b
            } else if (k === 'DisableInternalCache') {
              if (mode !== 'NOTRACK') problems.push({line: m.line, message: `DisableInternalCache is only valid in Mode NOTRACK (conntrackd refuses this file)`})
              const b = boolArg(m, problems)
              if (b !== undefined) conf.internalCache = !b
            } else if (k === 'PurgeTimeout') setPurge(m)
            else if (k === 'CommitTimeout') conf.commitTimeout = intArg(m, problems)
            else if (k === 'StartupResync') conf.startupResync = boolArg(m, problems) ?? conf.startupResync
          }
        } else if (key === 'PurgeTimeout') setPurge(s)
        else if (key === 'CommitTimeout') conf.commitTimeout = intArg(s, problems)
        else if ((key === 'UDP' || key === 'Multicast' || key === 'TCP') && s.children) {
          conf.channels.push(channelOf(key, s.children))
        } else if (key === 'Options' && s.children) {
          for (const o of s.children) {
            if (o.words[0] === 'ExpectationSync') conf.expectationSync = o.children ? true : boolArg(o, problems) ?? false
          }
        }
      }
    } else if (name === 'General' && top.children) {
      for (const g of top.children) {
        const key = g.words[0]
        if (key === 'LogFile') {
          const v = g.words[1]
          if (v === undefined) problems.push({line: g.line, message: 'LogFile needs on, off or a path'})
          else if (isOn(v)) conf.logFile = DEFAULT_LOG_FILE
          else if (isOff(v)) conf.logFile = undefined
          else conf.logFile = v
        } else if (key === 'Syslog') {
          const v = g.words[1]
          conf.syslog = v !== undefined && !isOff(v)
        } else if (key === 'HashSize') {
          const v = intArg(g, problems)
          if (v !== undefined && v > 0) conf.hashSize = v
        } else if (key === 'LockFile' && g.words[1]) {
          conf.lockFile = g.words[1]
        } else if (key === 'UNIX' && g.children) {
          for (const u of g.children) if (u.words[0] === 'Path' && u.words[1]) conf.socketPath = u.words[1]
        }
      }
    }
  }

  if (conf.kind === 'sync' && !conf.mode) {
    conf.mode = 'FTFW'
    conf.modeDefaulted = true
  }
  if (!conf.externalCache && conf.commitTimeout) {
    problems.push({line: 0, message: 'CommitTimeout is ignored with DisableExternalCache on (conntrackd warns and drops it)'})
  }
  if (conf.kind === 'sync' && conf.channels.length === 0) problems.push({line: 0, message: 'Sync has no UDP, Multicast or TCP block: conntrackd has no link to the peer'})
  if (conf.kind === 'sync' && conf.externalCache && flushBlockedAfterCommit(conf)) {
    problems.push({line: 0, message: `HashSize ${conf.hashSize} <= ${COMMIT_STEPS}: after the first -c, conntrackd ignores every -f ("commit still in progress"); set HashSize 16384 or more`})
  }
  if (!conf.socketPath) problems.push({line: 0, message: 'General has no UNIX { Path ... }: conntrackd -c/-f/-n/... cannot reach the daemon'})
  return {conf, problems}
}

function modeOf(word: string | undefined): SyncMode | undefined {
  switch (word?.toLowerCase()) {
    case 'ftfw': case 'nack': return 'FTFW'
    case 'notrack': return 'NOTRACK'
    case 'alarm': case 'persistent': return 'ALARM'
    default: return undefined
  }
}

function channelOf(transport: SyncChannel['transport'], body: Node[]): SyncChannel {
  const ch: SyncChannel = {transport}
  for (const n of body) {
    const [k, v] = n.words
    if (v === undefined) continue
    if (k === 'Interface') ch.interface = v
    else if (k === 'IPv4_address' || k === 'IPv6_address') ch.address = v
    else if (k === 'IPv4_Destination_Address' || k === 'IPv6_Destination_Address') ch.peer = v
  }
  return ch
}

const isOn = (v: string) => /^(on|yes)$/i.test(v)
const isOff = (v: string) => /^(off|no)$/i.test(v)

function boolArg(n: Node, problems: ConfProblem[]): boolean | undefined {
  const v = n.words[1]
  if (v !== undefined && isOn(v)) return true
  if (v !== undefined && isOff(v)) return false
  problems.push({line: n.line, message: `${n.words[0]} needs on or off, found ${JSON.stringify(v ?? '')}`})
  return undefined
}

function intArg(n: Node, problems: ConfProblem[]): number | undefined {
  const v = n.words[1]
  if (v !== undefined && /^\d+$/.test(v)) return Number(v)
  problems.push({line: n.line, message: `${n.words[0]} needs a number, found ${JSON.stringify(v ?? '')}`})
  return undefined
}

/** Blocks and statements; a statement ends at the end of its line, a `{` or a `}`. */
function parseTree(text: string): Node[] {
  const root: Node[] = []
  const stack: Node[][] = [root]
  const open: number[] = []
  const lines = text.split(/\r?\n|\r/)
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1
    const hash = lines[i].indexOf('#')
    const body = hash >= 0 ? lines[i].slice(0, hash) : lines[i]
    let words: string[] = []
    const flush = () => {
      if (words.length > 0) stack[stack.length - 1].push({words, line: lineNo})
      words = []
    }
    for (const tok of body.split(/(\{|\}|\s+)/)) {
      if (tok === '' || /^\s+$/.test(tok)) continue
      if (tok === '{') {
        const node: Node = {words, line: lineNo, children: []}
        words = []
        stack[stack.length - 1].push(node)
        stack.push(node.children!)
        open.push(lineNo)
      } else if (tok === '}') {
        flush()
        if (stack.length === 1) throw new ConntrackdConfSyntaxError(lineNo, 'unexpected "}"')
        stack.pop()
        open.pop()
      } else {
        words.push(tok.replace(/^"(.*)"$/, '$1'))
      }
    }
    flush()
  }
  if (open.length > 0) throw new ConntrackdConfSyntaxError(open[open.length - 1], 'block opened here is never closed')
  return root
}

/**
 * conntrackd 1.4.x bug: a commit that finishes in its first pass (HashSize <= 8192 buckets) never
 * clears the "commit in progress" marker, so from then on it ignores `-f` and `-f external`,
 * logging "ignoring flush command, commit still in progress" and exiting 0 (seen with 1.4.7;
 * src/cache-ct.c sets commit.clientfd and only commit_cb, the multi-pass path, resets it).
 */
export function flushBlockedAfterCommit(conf: ConntrackdConf): boolean {
  return conf.hashSize <= COMMIT_STEPS
}
