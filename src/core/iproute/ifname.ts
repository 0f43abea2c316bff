/**
 * Why a name cannot be a Linux network interface, or undefined when it can: the kernel's
 * dev_valid_name() (net/core/dev.c): 1..15 bytes (IFNAMSIZ 16 with its NUL), not "." or "..",
 * no '/', ':' or whitespace. Control characters are refused too: `ip` cannot make them, and
 * they would garble logs. A name like "wan0 " would otherwise be a device that never exists.
 */
export function ifnameProblem(name: string): string | undefined {
  if (name === '') return 'an interface name, not empty'
  const bytes = new TextEncoder().encode(name).length
  if (bytes > 15) return `an interface name of at most 15 bytes (the kernel's IFNAMSIZ), not ${bytes}`
  if (name === '.' || name === '..') return 'an interface name other than "." and ".."'
  // eslint-disable-next-line no-control-regex
  const bad = /[/:\s\u0000-\u001f\u007f]/.exec(name)
  if (bad) return `an interface name without ${bad[0] === '/' || bad[0] === ':' ? `'${bad[0]}'` : `whitespace or control characters (${JSON.stringify(bad[0])} at ${bad.index})`}`
  return undefined
}
