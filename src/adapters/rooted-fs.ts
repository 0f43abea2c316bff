import {lstatSync, readdirSync, readFileSync, readlinkSync, statSync, type Stats} from 'node:fs'
import {join} from 'node:path'

export type FileInfo = {uid: number; gid: number; mode: number; kind: 'dir' | 'file' | 'symlink' | 'other'; mtimeMs: number; size: number}

/**
 * Read-only view of a node's filesystem under a root directory: `doctor --root DIR` reads a
 * copy or a crafted tree exactly as it reads `/`. Every path given is the node's absolute path.
 * Nothing throws for a missing file: it is undefined (or an empty listing).
 */
export type RootedFs = {
  root: string
  read(path: string): string | undefined
  lstat(path: string): FileInfo | undefined
  stat(path: string): FileInfo | undefined
  readlink(path: string): string | undefined
  list(dir: string): string[]
}

export function createRootedFs(root: string): RootedFs {
  const at = (path: string) => (root === '/' ? path : join(root, path))
  const info = (s: Stats): FileInfo => ({
    uid: Number(s.uid), gid: Number(s.gid), mode: Number(s.mode), mtimeMs: Number(s.mtimeMs), size: Number(s.size),
    kind: s.isSymbolicLink() ? 'symlink' : s.isDirectory() ? 'dir' : s.isFile() ? 'file' : 'other',
  })
  const quiet = <T>(fn: () => T): T | undefined => {
    try { return fn() } catch { return undefined }
  }
  return {
    root,
    read: (path) => quiet(() => readFileSync(at(path), 'utf8')),
    lstat: (path) => quiet(() => info(lstatSync(at(path)))),
    stat: (path) => quiet(() => info(statSync(at(path)))),
    readlink: (path) => quiet(() => readlinkSync(at(path))),
    list: (dir) => quiet(() => readdirSync(at(dir)).sort()) ?? [],
  }
}
