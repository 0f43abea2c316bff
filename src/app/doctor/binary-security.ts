import {type PathComponent, pathPrefixes, scriptSecurityProblems} from '../../core/doctor/script-security.js'
import type {DoctorContext} from './context.js'
import {type DoctorCheck, fail, pass} from './types.js'

/**
 * keepalived (enable_script_security) silently disables a script when any directory up to it
 * is not root-owned or is writable by a non-root group or by others: Debian's /usr/local is
 * root:staff 2775, so /usr/local/bin/ha-tool is refused. Symlinks are followed and the target's
 * chain is checked too (keepalived does, unless use_symlinks is set).
 */
export const binarySecurity: DoctorCheck = {
  id: 'binary-security',
  title: 'ha-tool\'s path passes keepalived\'s script security',
  run(ctx) {
    const paths = new Set([ctx.config.doctor.binary, ...haToolPaths(ctx)])
    const problems: string[] = []
    let fixes: string[] = []
    for (const path of paths) {
      const {chain, missing} = resolveChain(ctx, path)
      if (missing) {
        problems.push(`${missing}: not found`)
        fixes.push('install ha-tool with scripts/install (it puts /usr/sbin/ha-tool on a root-owned path)')
        continue
      }
      for (const p of scriptSecurityProblems(chain)) {
        problems.push(`${p.path}: ${p.problem}`)
        fixes.push(p.fix)
      }
    }
    fixes = [...new Set(fixes)]
    if (problems.length === 0) return pass(`${[...paths].join(', ')}: every component root-owned and not writable by others`)
    const local = problems.some((p) => p.startsWith('/usr/local'))
    return fail(`keepalived will refuse ${[...paths].join(', ')}: ${problems.join('; ')}`,
      local ? 'install with scripts/install (/usr/lib/ha-tool + /usr/sbin/ha-tool), not under /usr/local (root:staff 2775 on Debian)' : fixes.join(' && '))
  },
}

/** Every ha-tool program keepalived.conf names (the first word of a notify or script line). */
export function haToolPaths(ctx: DoctorContext): string[] {
  return ctx.keepalivedScripts().map((s) => s.command.split(/\s+/)[0]).filter((p) => /(^|\/)ha-tool$/.test(p) && p.startsWith('/'))
}

/** The components keepalived checks: the path's prefixes, then (for a symlink) its target's. */
export function resolveChain(ctx: DoctorContext, path: string): {chain: PathComponent[]; missing?: string} {
  const chain: PathComponent[] = []
  let current = path
  for (let hops = 0; hops < 8; hops++) {
    for (const prefix of pathPrefixes(current)) {
      const st = ctx.fs.lstat(prefix)
      if (!st) return {chain, missing: prefix}
      chain.push({path: prefix, ...st})
    }
    const last = chain[chain.length - 1]
    if (last.kind !== 'symlink') return {chain}
    const target = ctx.fs.readlink(current)
    if (target === undefined) return {chain, missing: current}
    current = target.startsWith('/') ? target : normalize(`${current.slice(0, current.lastIndexOf('/'))}/${target}`)
  }
  return {chain}
}

function normalize(path: string): string {
  const out: string[] = []
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') out.pop()
    else out.push(part)
  }
  return `/${out.join('/')}`
}
