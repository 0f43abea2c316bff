import {spawn, type ChildProcess} from 'node:child_process'
import {HaError} from '../core/errors.js'
import {ExitCode} from '../core/exit-codes.js'
import {tiedToParent} from './parent-death.js'
import {childEnv} from './safe-path.js'

/**
 * A resident command-line tool for the daemon (`nft -i`, `ip -force -batch -`): one command line
 * in, applied at once, without starting the program again on a failover's hot path (4-6 ms for nft,
 * 3-4 ms for ip on a loaded machine). Both read stdin line by line and run each line as it comes.
 * Neither prints anything on success, so every command is followed by a look-up of an object that
 * does not exist, named for this command: its error, on stderr (unbuffered), names it and marks the
 * command as done; any error before it is the command's own.
 */
export type LineSession = {
  /** Runs one command line; rejects with the tool's error when it refused the command, or with kind 'session' when the session itself failed. */
  run(line: string, timeoutMs: number): Promise<void>
  /** Starts the program now, so the first command does not pay for it. */
  warm(): void
  close(): void
}

type SessionSpec = {
  argv: readonly string[]
  /** The look-up that fails naming `marker`. */
  sync(marker: string): string
  /** Where the marker's own error report starts, given where the marker was seen in stderr. */
  blockStart(stderr: string, at: number): number
  markerFor(seq: number): string
  /**
   * Lines that end the look-up's own error report and may arrive after it, in the next chunk (ip's
   * "Command failed -:N", nft's caret line): never a command's error, so they are skipped.
   */
  trailer: RegExp
}

/** `nft -i`: each line its own transaction, re-reading what it needs from the kernel each time. */
export function createNftSession(command: readonly string[] = ['nft']): LineSession {
  return createLineSession({
    argv: [...command, '-i'],
    markerFor: (seq) => `ha_tool_sync_${process.pid}_${seq}`,
    sync: (marker) => `list table netdev ${marker}`,
    // "Error: No such file or directory" / the echoed line / "^^^^"
    blockStart: (stderr, at) => Math.max(0, stderr.lastIndexOf('Error:', at)),
    trailer: /^\s*[\^~]+\s*$/,
  })
}

/** `ip [-6] -force -batch -`: family is fixed per process (a batch line cannot switch it). */
export function createIpSession(family: 4 | 6, command: readonly string[] = ['ip']): LineSession {
  return createLineSession({
    argv: [...command, ...(family === 6 ? ['-6'] : []), '-force', '-batch', '-'],
    // interface names are at most 15 characters
    markerFor: (seq) => `hs${(process.pid % 1000).toString(36)}x${seq.toString(36)}`.slice(0, 15),
    sync: (marker) => `link show dev ${marker}`,
    // 'Device "<marker>" does not exist.' / "Command failed -:N"
    blockStart: (stderr, at) => stderr.lastIndexOf('\n', at) + 1,
    trailer: /^Command failed -:\d+$/,
  })
}

function createLineSession(spec: SessionSpec): LineSession {
  let child: ChildProcess | undefined
  let stderr = ''
  let waiter: {marker: string; done(error?: Error): void} | undefined
  let seq = 0
  let queue: Promise<void> = Promise.resolve()
  const name = spec.argv.filter((a) => !a.startsWith('-')).pop() ?? spec.argv[0]

  const fail = (why: string) => {
    const w = waiter
    waiter = undefined
    w?.done(new HaError(`${name} session: ${why}`, ExitCode.FAILED, {kind: 'session'}))
  }
  const ensure = (): ChildProcess => {
    if (child && child.exitCode === null && child.signalCode === null) return child
    const argv = tiedToParent([...spec.argv])
    const c = spawn(argv[0], argv.slice(1), {env: childEnv(), stdio: ['pipe', 'ignore', 'pipe']})
    stderr = ''
    c.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      const w = waiter
      if (!w) { stderr = ''; return }
      const at = stderr.indexOf(w.marker)
      if (at < 0) return
      const own = stderr.slice(0, spec.blockStart(stderr, at)).trim()
      stderr = ''
      waiter = undefined
      const first = own.split('\n').find((l) => l.trim() !== '' && !spec.trailer.test(l))
      w.done(first ? new HaError(first.replace(/^Error: /, ''), ExitCode.FAILED) : undefined)
    })
    c.stdin!.on('error', () => { /* a dead child: its exit fails the waiter */ })
    c.once('error', (error) => { if (child === c) child = undefined; fail(error.message) })
    c.once('exit', (code, signal) => { if (child === c) child = undefined; fail(`exited (${signal ?? code})`) })
    child = c
    return c
  }

  const runOne = (line: string, timeoutMs: number) => new Promise<void>((resolve, reject) => {
    const c = ensure()
    const marker = spec.markerFor(++seq)
    const timer = setTimeout(() => {
      fail(`no answer within ${timeoutMs} ms`)
      c.kill('SIGKILL')
    }, timeoutMs)
    waiter = {marker, done: (error) => { clearTimeout(timer); if (error) reject(error); else resolve() }}
    c.stdin!.write(`${line}\n${spec.sync(marker)}\n`)
  })

  return {
    run(line, timeoutMs) {
      if (/[\n;]/.test(line)) return Promise.reject(new HaError(`${name} session: one command per line`, ExitCode.FAILED, {kind: 'session'}))
      const p = queue.then(() => runOne(line, timeoutMs))
      queue = p.catch(() => {})
      return p
    },
    warm() { ensure() },
    close() {
      const c = child
      child = undefined
      c?.stdin!.end()
      c?.kill('SIGTERM')
    },
  }
}
