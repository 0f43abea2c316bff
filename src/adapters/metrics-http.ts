import type {Server} from 'node:http'
import {unavailableError} from '../core/errors.js'

export type MetricsEndpoint = {address: string; close(): Promise<void>}

/**
 * Serves GET /metrics on a loopback address (metrics.listen, validated to be one) with whatever `render`
 * returns at that moment. node:http is loaded only when an endpoint is configured.
 */
export async function serveMetrics(host: string, port: number, render: () => string): Promise<MetricsEndpoint> {
  const {createServer} = await import('node:http')
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') { res.writeHead(405, {allow: 'GET, HEAD'}).end(); return }
    if ((req.url ?? '/').split('?')[0] !== '/metrics') { res.writeHead(404, {'content-type': 'text/plain'}).end('not found: try /metrics\n'); return }
    let body: string
    try { body = render() } catch (error) { res.writeHead(500, {'content-type': 'text/plain'}).end(`${(error as Error).message}\n`); return }
    res.writeHead(200, {'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'content-length': Buffer.byteLength(body)})
    res.end(req.method === 'HEAD' ? undefined : body)
  })
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    const fail = (error: Error) => reject(unavailableError(`metrics.listen ${host}:${port}: ${error.message}`, 'free the port or choose another in metrics.listen'))
    server.once('error', fail)
    server.listen(port, host, () => { server.off('error', fail); resolve() })
  })
  const a = server.address()
  const address = a && typeof a === 'object' ? `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}` : `${host}:${port}`
  return {
    address,
    close: () => new Promise((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
