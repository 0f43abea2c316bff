import type {Role} from '../transition/types.js'

/**
 * The role of the configured instance (or, for "" or a sync group, of all instances when they
 * agree), from what keepalived reports over D-Bus: the daemon's start-up and the health check's
 * unknown-role rule both use it. Pure.
 */
export function pickInstanceRole(instances: ReadonlyArray<{name: string; role: Role | undefined}>, instance: string): Role | undefined {
  const named = instances.find((i) => i.name === instance)
  if (named) return named.role
  const roles = new Set(instances.map((i) => i.role))
  return roles.size === 1 ? [...roles][0] : undefined
}
