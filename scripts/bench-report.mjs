// Writes the figures of an `npm run bench` into docs/benchmarks.md, between <!-- bench:begin --> and
// <!-- bench:end -->, one block per benchmark stamped with date, commit and machine. A run of some benchmarks
// replaces only their blocks; a run of all of them replaces the whole region (earlier figures included),
// except the blocks of benchmarks that failed or ran only in part: those keep their earlier figures.
// A benchmark says it ran only in part (some cells, fewer runs, other settings than the documented ones) by
// setting `partial` in its result to the reason; such a result is printed, never written here.
// A benchmark module may export markdown(result) to render its own table; else its JSON is shown.
import {execFileSync} from 'node:child_process'
import {readFileSync, renameSync, writeFileSync} from 'node:fs'
import {cpus, release, totalmem} from 'node:os'

const BEGIN = '<!-- bench:begin -->'
const END = '<!-- bench:end -->'
const BLOCK = /^<!-- bench:([a-z0-9-]+) -->$/gm

export function stamp(root) {
  const git = (...args) => { try { return execFileSync('git', args, {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore']}).trim() } catch { return '' } }
  const commit = git('rev-parse', '--short', 'HEAD') || 'unknown'
  const dirty = git('status', '--porcelain', '--untracked-files=no') ? '+changes' : ''
  const cpu = cpus()
  const when = new Date().toISOString().replace(/:\d\d\.\d+Z$/, ' UTC').replace('T', ' ')
  return `${when}, commit ${commit}${dirty}, ${cpu[0]?.model?.replace(/\s+/g, ' ').trim() ?? 'unknown CPU'} x ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Linux ${release()}, Node ${process.version}`
}

/** Splits the region into its blocks: [[key, text]...] in file order. */
function blocks(region) {
  const out = []
  const marks = [...region.matchAll(BLOCK)]
  marks.forEach((m, i) => out.push([m[1], region.slice(m.index, i + 1 < marks.length ? marks[i + 1].index : region.length).trim()]))
  return out
}

/**
 * @param file docs/benchmarks.md
 * @param results {key: result} of this run (results with `error` or `partial` are left out: the old figures stay)
 * @param render {key: (result) => markdown | undefined}
 * @param full whether every benchmark ran (then earlier figures go)
 */
export function writeBenchReport(file, results, render, full, root) {
  const text = readFileSync(file, 'utf8')
  const b = text.indexOf(BEGIN)
  const e = text.indexOf(END)
  if (b < 0 || e < b) throw new Error(`${file}: no ${BEGIN} ... ${END} region to write the figures into`)
  const at = stamp(root)
  const fresh = Object.entries(results).filter(([, r]) => r && !r.error && !r.partial).map(([key, r]) => {
    const body = render[key]?.(r) ?? `\`\`\`json\n${JSON.stringify(r, null, 2)}\n\`\`\``
    return [key, `<!-- bench:${key} -->\n### ${key}\n\n${at}\n\n${body.trim()}`]
  })
  // A full run drops the blocks of benchmarks that no longer exist; never the figures of one that ran but wrote nothing.
  const kept = blocks(text.slice(b + BEGIN.length, e)).filter(([k]) => !fresh.some(([f]) => f === k) && (!full || k in results))
  const all = [...fresh, ...kept]
  const region = `${BEGIN}\n${all.map(([, t]) => t).join('\n\n')}\n${END}`
  const tmp = `${file}.${process.pid}.tmp`
  writeFileSync(tmp, text.slice(0, b) + region + text.slice(e + END.length))
  renameSync(tmp, file)
  return fresh.map(([k]) => k)
}
