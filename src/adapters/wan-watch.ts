import {spawn, type ChildProcess} from 'node:child_process'
import {ipEventMatters, nftEventMatters, type WanScope} from '../core/iproute/wan-event.js'
import {tiedToParent} from './parent-death.js'
import {childEnv} from './safe-path.js'

export type WanWatch = {stop(): void}

/**
 * Tells the daemon when anything the WAN plan depends on may have changed, so it can keep its
 * view of the kernel current without spawning `ip` and `nft` on every keepalived event:
 * `ip -o -N monitor label rule link address route` and, when the silence table is in use, `nft monitor`.
 * `onChange(false)` on an event that can change the observed WAN (core/iproute/wan-event.ts; with no
 * scope, on any event); `onChange(true)` when a watcher died (the view can no longer be trusted
 * between reads).
 */
export function watchWan(opts: {nft: boolean; scope?: WanScope}, onChange: (lost: boolean) => void): WanWatch {
  const children: ChildProcess[] = []
  let stopped = false
  const start = (argv: string[], matters: (line: string, scope: WanScope) => boolean) => {
    // Tied to the daemon: they must not outlive it when it is SIGKILLed (parent-death.ts).
    const full = tiedToParent(argv)
    const child = spawn(full[0], full.slice(1), {env: childEnv(), stdio: ['ignore', 'pipe', 'ignore']})
    let partial = ''
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      const scope = opts.scope
      if (!scope || lines.some((line) => matters(line, scope))) onChange(false)
    })
    child.on('error', () => { if (!stopped) onChange(true) })
    child.on('exit', () => { if (!stopped) onChange(true) })
    children.push(child)
  }
  start(['ip', '-o', '-N', 'monitor', 'label', 'rule', 'link', 'address', 'route'], ipEventMatters)
  if (opts.nft) start(['nft', 'monitor'], nftEventMatters)
  return {
    stop: () => {
      stopped = true
      for (const c of children) c.kill('SIGTERM')
    },
  }
}

