import {spawn} from 'node:child_process'
import {createReadStream} from 'node:fs'

/** argv that starts this same ha-tool (the Node script, or the single executable). */
export function selfArgv(): string[] {
  const script = process.argv[1]
  return script && script !== process.execPath ? [process.execPath, script] : [process.execPath]
}

/** Runs this ha-tool with `args`, on this process's stdin/stdout/stderr; resolves with its exit code. */
export function runSelf(args: readonly string[]): Promise<number> {
  const [file, ...pre] = selfArgv()
  return new Promise((resolve) => {
    const child = spawn(file, [...pre, ...args], {stdio: 'inherit'})
    child.once('error', () => resolve(1))
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)))
  })
}

/** Copies a file to stdout; rejects with the fs error. */
export function catFile(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = createReadStream(path)
    s.once('error', reject)
    s.once('end', resolve)
    s.pipe(process.stdout, {end: false})
  })
}
