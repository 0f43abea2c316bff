import {spawn, type ChildProcess} from 'node:child_process'
import {tiedToParent} from './parent-death.js'
import {childEnv} from './safe-path.js'

export type WanWatch = {stop(): void}

/**
 * Tells the daemon when anything the WAN plan depends on may have changed, so it can keep its
 * view of the kernel current without spawning `ip` and `nft` on every keepalived event:
 * `ip -o monitor rule link address route` and, when the silence table is in use, `nft monitor`.
 * `onChange(false)` on any event; `onChange(true)` when a watcher died (the view can no longer be
 * trusted between reads).
 */
export function watchWan(opts: {nft: boolean}, onChange: (lost: boolean) => void): WanWatch {
  const children: ChildProcess[] = []
  let stopped = false
  const start = (argv: string[]) => {
    // Tied to the daemon: they must not outlive it when it is SIGKILLed (parent-death.ts).
    const full = tiedToParent(argv)
    const child = spawn(full[0], full.slice(1), {env: childEnv(), stdio: ['ignore', 'pipe', 'ignore']})
    child.stdout!.on('data', () => onChange(false))
    child.on('error', () => { if (!stopped) onChange(true) })
    child.on('exit', () => { if (!stopped) onChange(true) })
    children.push(child)
  }
  start(['ip', '-o', 'monitor', 'rule', 'link', 'address', 'route'])
  if (opts.nft) start(['nft', 'monitor'])
  return {
    stop: () => {
      stopped = true
      for (const c of children) c.kill('SIGTERM')
    },
  }
}

