import {binarySecurity} from './binary-security.js'
import {conntrackd} from './conntrackd.js'
import {conntrackdPeerChannel} from './conntrackd-channel.js'
import {dnsmasqScript} from './dnsmasq-script.js'
import {dnsmasqVersion} from './dnsmasq-version.js'
import {dnsmasqVip} from './dnsmasq-vip.js'
import {keepalivedCalls} from './keepalived-calls.js'
import {keepalivedDbus} from './keepalived-dbus.js'
import {keepalivedScriptSecurity} from './keepalived-script-security.js'
import {keepalivedTest} from './keepalived-test.js'
import {keepalivedTrackInterface} from './keepalived-track-interface.js'
import {lanIpv6} from './lan-ipv6.js'
import {networkdForeignRules} from './networkd-foreign-rules.js'
import {networkdActivationPolicy, networkdLanFallback, networkdWanDhcp, networkdWanDhcpv6} from './networkd-wan.js'
import {nftForwardDrop} from './nft-forward-drop.js'
import {nftGarpDrop} from './nft-garp-drop.js'
import {peerAgrees, peerSsh} from './peer.js'
import {directoryModes, interpreterChain, nodeLock, wanLink} from './hardening.js'
import {stateDir} from './state-dir.js'
import {sysctl} from './sysctl.js'
import type {DoctorCheck} from './types.js'
import {wanRuleForeign} from './wan-rule-foreign.js'
import {wanRuleIpv6} from './wan-rule-ipv6.js'
import {wanDhcpv6Restart} from './wan-dhcpv6-restart.js'
import {wanSilence} from './wan-silence.js'

/** Every check, in the order a reader fixes things: install, keepalived, networkd, firewall, daemons, kernel, peer. */
export const CHECKS: readonly DoctorCheck[] = [
  binarySecurity,
  interpreterChain,
  keepalivedTest,
  keepalivedScriptSecurity,
  keepalivedCalls,
  keepalivedTrackInterface,
  keepalivedDbus,
  stateDir,
  directoryModes,
  nodeLock,
  wanLink,
  networkdForeignRules,
  networkdWanDhcp,
  networkdWanDhcpv6,
  wanDhcpv6Restart,
  networkdActivationPolicy,
  networkdLanFallback,
  nftForwardDrop,
  nftGarpDrop,
  wanSilence,
  wanRuleIpv6,
  wanRuleForeign,
  dnsmasqVersion,
  dnsmasqVip,
  dnsmasqScript,
  lanIpv6,
  conntrackd,
  sysctl,
  peerSsh,
  peerAgrees,
  conntrackdPeerChannel,
]
