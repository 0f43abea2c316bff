#!/usr/bin/env node
// The "internet" host of the lab (runs in hat-isp): a UDP echo and a TCP line echo, so a LAN client
// can measure outage (UDP) and whether a long-lived TCP flow survives a failover (TCP).
// usage: echo-server.mjs ADDRESS UDP_PORT TCP_PORT (ADDRESS IPv4 or IPv6)
import {createSocket} from 'node:dgram'
import {createServer, isIPv6} from 'node:net'

const [address, udpPort, tcpPort] = process.argv.slice(2)
const udp = createSocket(isIPv6(address) ? 'udp6' : 'udp4')
udp.on('message', (msg, rinfo) => udp.send(msg, rinfo.port, rinfo.address))
udp.bind(Number(udpPort), address)
const tcp = createServer((sock) => {
  sock.setNoDelay(true)
  sock.on('error', () => {})
  sock.pipe(sock)
})
tcp.listen(Number(tcpPort), address, () => process.stdout.write(`listening ${address} udp/${udpPort} tcp/${tcpPort}\n`))
process.on('SIGTERM', () => process.exit(0))
