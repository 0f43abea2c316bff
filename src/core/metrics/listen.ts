/**
 * metrics.listen: "HOST:PORT" on loopback only ("127.0.0.1:9469", "[::1]:9469", "localhost:9469"). The
 * endpoint has no authentication, so it never listens where another host could reach it.
 */
export type Listen = {host: string; port: number}

export function parseListen(text: string): Listen | {error: string} {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text)
  if (!m) return {error: 'HOST:PORT, e.g. "127.0.0.1:9469" or "[::1]:9469"'}
  const host = (m[1] ?? m[2]).toLowerCase()
  const port = Number(m[3])
  if (port < 1 || port > 65535) return {error: `a port 1..65535, got ${port}`}
  if (host === 'localhost') return {host: '127.0.0.1', port}
  if (host === '::1' || /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(host) && host.split('.').every((o) => Number(o) <= 255)) return {host, port}
  return {error: `a loopback address (127.0.0.0/8, ::1 or localhost), got ${JSON.stringify(host)}: the endpoint has no authentication`}
}
