import {createExec} from '../adapters/exec.js'
import {readText} from '../adapters/files.js'
import {createIpRoute} from '../adapters/iproute.js'
import {createIpSession, createNftSession} from '../adapters/line-session.js'
import {acquireLock} from '../adapters/lock.js'
import type {Logger} from '../adapters/log.js'
import {connectNetworkd, type Networkd} from '../adapters/networkd.js'
import {writeActivationDropin} from '../adapters/networkd-dropin.js'
import {pidMax} from '../adapters/process-info.js'
import {readStateFile, writeStateFile} from '../adapters/state-file.js'
import {createWanSilence} from '../adapters/wan-silence.js'
import {systemClock} from '../adapters/clock.js'
import type {Config} from '../config/schema.js'
import type {TransitionDeps} from '../app/handle-transition.js'
import {createLanPrefixExecutors} from '../app/steps/lan-prefix.js'
import {createVipExecutors} from '../app/steps/vip.js'
import {createWanExecutors} from '../app/steps/wan.js'
import {transitionSlots} from './slots.js'

/**
 * The real adapters behind a transition (the composition root for notify, daemon and resync).
 * resident (the daemon): keep `nft -i` and `ip -batch` running for the silence's and the rules' one-line changes.
 */
export function createTransitionDeps(config: Config, log: Logger, opts: {resident?: boolean} = {}): TransitionDeps & {close(): void} {
  const exec = createExec(log)
  const ipSessions = opts.resident ? {4: createIpSession(4), 6: createIpSession(6)} : undefined
  const ip = createIpRoute(exec, 'ip', ipSessions)
  const nftSession = opts.resident && config.wan.link === 'keep-up' && config.wan.silence === 'nftables' ? createNftSession() : undefined
  // Started now, while nothing waits for them.
  nftSession?.warm()
  ipSessions?.[4].warm()
  if (config.wan.ipv6) ipSessions?.[6].warm()
  const silence = createWanSilence(exec, 'nft', nftSession)
  let networkd: Promise<Networkd> | undefined
  const wanExecutors = createWanExecutors({
    ip,
    silence,
    networkd: () => (networkd ??= connectNetworkd({timeoutMs: config.wan.dbus_timeout_ms})),
    dropin: {dir: config.wan.networkd_runtime_dir, write: (file, policy) => writeActivationDropin(config.wan.networkd_runtime_dir, file, policy)},
    sleep: systemClock.sleep,
    mono: systemClock.mono,
  })
  const slots = transitionSlots(config, log, exec)
  return {
    config,
    log,
    ip,
    silence,
    executors: {...wanExecutors, ...createVipExecutors(ip, readText), ...createLanPrefixExecutors(ip), ...slots.executors},
    lock: () => acquireLock(`${config.state.dir}/lock`, config.state.lock_timeout_ms),
    readState: () => readStateFile(config.state.dir),
    writeState: (s) => writeStateFile(config.state.dir, s),
    slots: slots.plan,
    now: systemClock.now,
    mono: systemClock.mono,
    pidMax: pidMax(),
    close: () => {
      networkd?.then((n) => n.close(), () => {})
      nftSession?.close()
      ipSessions?.[4].close()
      ipSessions?.[6].close()
    },
  }
}
