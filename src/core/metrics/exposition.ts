/**
 * The Prometheus text exposition format (version 0.0.4), which node_exporter's textfile collector
 * reads from *.prom files and an HTTP scrape accepts as is. Pure: families in, text out.
 */
export type MetricType = 'gauge' | 'counter'

export type Labels = Readonly<Record<string, string>>

export type Sample = {labels?: Labels; value: number}

export type MetricFamily = {
  /** [a-zA-Z_:][a-zA-Z0-9_:]*; counters end in _total. */
  name: string
  help: string
  type: MetricType
  samples: readonly Sample[]
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

/** HELP text: backslash and newline escaped. */
const escapeHelp = (s: string) => s.replaceAll('\\', '\\\\').replaceAll('\n', '\\n')
/** Label values: backslash, double quote and newline escaped. */
const escapeValue = (s: string) => s.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN'
  if (v === Infinity) return '+Inf'
  if (v === -Infinity) return '-Inf'
  return String(v)
}

function formatLabels(labels: Labels | undefined): string {
  const keys = labels ? Object.keys(labels).sort() : []
  if (keys.length === 0) return ''
  return `{${keys.map((k) => `${k}="${escapeValue(labels![k])}"`).join(',')}}`
}

/**
 * Renders the families in the order given, samples sorted by their labels so a file changes only when a
 * value does. A family without samples is left out (its HELP alone says nothing). Throws on a bad name:
 * that is a programming error, not input.
 */
export function renderExposition(families: readonly MetricFamily[]): string {
  const out: string[] = []
  const seen = new Set<string>()
  for (const f of families) {
    if (!NAME.test(f.name)) throw new Error(`metric name ${JSON.stringify(f.name)} is not valid`)
    if (seen.has(f.name)) throw new Error(`metric ${f.name} is defined twice`)
    seen.add(f.name)
    if (f.samples.length === 0) continue
    out.push(`# HELP ${f.name} ${escapeHelp(f.help)}`, `# TYPE ${f.name} ${f.type}`)
    const lines = f.samples.map((s) => {
      for (const k of Object.keys(s.labels ?? {})) if (!LABEL.test(k) || k.startsWith('__')) throw new Error(`metric ${f.name}: label name ${JSON.stringify(k)} is not valid`)
      return `${f.name}${formatLabels(s.labels)} ${formatValue(s.value)}`
    })
    const unique = [...new Set(lines.map((l) => l.slice(0, l.lastIndexOf(' '))))]
    if (unique.length !== lines.length) throw new Error(`metric ${f.name}: two samples with the same labels`)
    out.push(...lines.sort())
  }
  return out.length ? `${out.join('\n')}\n` : ''
}

/** One sample per value of `all`, 1 for `current` and 0 for the others (a state as Prometheus likes it). */
export function oneHot(label: string, all: readonly string[], current: string | undefined, extra: Labels = {}): Sample[] {
  return all.map((v) => ({labels: {...extra, [label]: v}, value: v === current ? 1 : 0}))
}
