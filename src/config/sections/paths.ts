/** Paths keepalived runs or opens: it starts scripts from `/`, so a relative path would name another file. */
export const absolute = (v: string) => (v.startsWith('/') ? undefined : 'an absolute path (keepalived and its scripts run from /)')
export const absoluteOrEmpty = (v: string) => (v === '' ? undefined : absolute(v))
