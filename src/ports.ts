/**
 * The ports: every interface through which src/app reaches the OS, in one place. src/adapters
 * implements them; src/wiring builds the real ones; test/app passes fakes. App code imports
 * adapter *types* from here only (lint and test/unit/layering.test.ts forbid runtime imports of
 * src/adapters from src/app and src/commands).
 */
export type {Clock} from './adapters/clock.js'
export type {ConntrackdClient} from './adapters/conntrackd.js'
export type {Cron} from './adapters/cron.js'
export type {DnsmasqControl} from './adapters/dnsmasq.js'
export type {DnsmasqDbus} from './adapters/dnsmasq-dbus.js'
export type {DoctorProbes} from './adapters/doctor-probes.js'
export type {Exec, ExecResult} from './adapters/exec.js'
export type {FifoReader} from './adapters/fifo.js'
export type {HealthStatusFile, MaintenanceFlag} from './adapters/health-files.js'
export type {IpRoute, WanSnapshot} from './adapters/iproute.js'
export type {KeepalivedInstance} from './adapters/keepalived-dbus.js'
export type {LeaseFileSource, LeaseWatchStore} from './adapters/lease-file-watch.js'
export type {LeaseQueue} from './adapters/lease-store.js'
export type {Lock} from './adapters/lock.js'
export type {Logger} from './adapters/log.js'
export type {Networkd} from './adapters/networkd.js'
export type {ReplicationMarks} from './adapters/replication-marks.js'
export type {GateFile} from './adapters/gate-file.js'
export type {Peer, PeerResult} from './adapters/peer.js'
export type {ProbeSource, Prober} from './adapters/probes/types.js'
export type {RootedFs} from './adapters/rooted-fs.js'
export type {SshResult, SshTarget} from './adapters/ssh.js'
export type {WanSilence} from './adapters/wan-silence.js'
