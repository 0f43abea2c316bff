// Helpers for tests that need a real process: the CLI exactly as keepalived runs it
// (fresh node, stdin closed), or a TypeScript snippet run against src/ in a child.
import {spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, rmSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {dirname, join} from 'node:path'
import {checkJsonOutput} from './json-contract.js'

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '')
export const BIN = join(ROOT, 'bin/run.js')
/**
 * The program CLI tests run: `node bin/run.js`, or with HA_TOOL_BIN set, that executable alone
 * (the single executable from `npm run package`, run from its own directory with no node_modules).
 */
export const CLI: readonly string[] = process.env.HA_TOOL_BIN ? [process.env.HA_TOOL_BIN] : [process.execPath, BIN]
const CLI_CWD = process.env.HA_TOOL_BIN ? dirname(process.env.HA_TOOL_BIN) : undefined

export type Run = {code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string}

export type RunOptions = {env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number; prefix?: string[]}

/** `node bin/run.js ...args` with stdin closed; `prefix` runs it under another program (setpriv, unshare). */
export function runCli(args: string[], opts: RunOptions = {}): Promise<Run> {
  return run([...(opts.prefix ?? []), ...CLI, ...args], {cwd: CLI_CWD, ...opts})
}

/**
 * Runs an ES module snippet in a fresh node with tsx, from the repo root, so it can
 * `import ... from '${ROOT}/src/...ts'`. stdin closed, like every process in these tests.
 */
export function runTs(code: string, opts: RunOptions = {}): Promise<Run> {
  return run([...(opts.prefix ?? []), process.execPath, '--import', 'tsx', '--input-type=module', '-e', code], {cwd: ROOT, ...opts})
}

export function run(argv: string[], opts: RunOptions = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: opts.cwd ?? ROOT,
      env: opts.env ?? cleanEnv(),
    })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d })
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20_000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      // Every `bin/run.js ... --json` a test runs is checked against its schema (schemas/, docs/json.md).
      try { checkJsonOutput(argv, stdout) } catch (error) { reject(error); return }
      resolve({code, signal, stdout, stderr})
    })
  })
}

/** The environment without anything that would change which config is read or how loud logs are. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = {...process.env}
  delete env.HA_TOOL_CONFIG
  delete env.NODE_OPTIONS
  delete env.NODE_TEST_CONTEXT
  return {...env, ...extra}
}

/** A temp directory removed after the callback, whatever happens. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T> | T, parent = tmpdir()): Promise<T> {
  const dir = mkdtempSync(join(parent, 'ha-tool-test-'))
  try {
    return await fn(dir)
  } finally {
    rmSync(dir, {recursive: true, force: true})
  }
}

/** True when `program` is on PATH (for tests that must skip loudly without it). */
export function hasProgram(program: string): boolean {
  if (program.includes('/')) return existsSync(program)
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', program], {stdio: 'ignore'}).status === 0
}

/** dist/ must be newer than the sources for command tests; scripts/test.mjs builds first. */
export function ensureBuilt(): void {
  if (!existsSync(join(ROOT, 'dist/hot/notify.cjs'))) {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {stdio: 'inherit'})
    if (r.status !== 0) throw new Error('build failed')
  }
}
