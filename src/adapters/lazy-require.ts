/**
 * require() of a package from ESM or CommonJS code without importing node:module up front:
 * that import alone loads the ESM loader internals (~1 ms) on paths keepalived runs every
 * second, where pino, dbus-next and node-cron are usually not needed at all.
 */
export function lazyRequire<T>(id: string, from: string): T {
  const builtin = (process as {getBuiltinModule?: (id: string) => unknown}).getBuiltinModule
  if (builtin) return (builtin('node:module') as typeof import('node:module')).createRequire(from)(id) as T
  // Node < 20.16 has no getBuiltinModule: bin/run.js supplies it for the oclif commands, and the
  // hot bundles are CommonJS and have require.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a dynamic id, on purpose
  if (typeof require === 'function') return require(id) as T
  throw new Error(`cannot load ${id}: Node.js < 20.16 has no process.getBuiltinModule (start ha-tool through bin/run.js)`)
}
