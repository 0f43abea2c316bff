// A strict reader of the Prometheus text format (0.0.4), written from the format's description, for tests:
// it refuses what node_exporter's textfile collector would refuse (a sample before its TYPE, a bad name or
// label, a duplicate series, a TYPE given twice) and returns the samples to assert on.
export type ParsedSample = {name: string; labels: Record<string, string>; value: number}
export type ParsedFamily = {name: string; type: string; help: string; samples: ParsedSample[]}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {}
  let i = 0
  while (i < text.length) {
    const eq = text.indexOf('=', i)
    if (eq < 0) throw new Error(`${where}: label without "="`)
    const name = text.slice(i, eq).trim()
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name ${JSON.stringify(name)}`)
    if (text[eq + 1] !== '"') throw new Error(`${where}: label value not quoted`)
    let j = eq + 2
    let value = ''
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const n = text[++j]
        value += n === 'n' ? '\n' : n
      } else value += text[j]
    }
    if (j >= text.length) throw new Error(`${where}: unterminated label value`)
    if (name in labels) throw new Error(`${where}: label ${name} twice`)
    labels[name] = value
    i = j + 1
    if (text[i] === ',') i++
    else if (i < text.length) throw new Error(`${where}: expected "," after a label`)
  }
  return labels
}

export function parsePrometheusText(text: string): Map<string, ParsedFamily> {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the text does not end with a newline')
  const families = new Map<string, ParsedFamily>()
  const series = new Set<string>()
  const lines = text.split('\n').slice(0, -1)
  lines.forEach((line, n) => {
    const where = `line ${n + 1}`
    if (line.trim() === '') return
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line)
    if (meta) {
      const [, kind, name, rest] = meta
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`)
      const f = families.get(name) ?? {name, type: 'untyped', help: '', samples: []}
      if (kind === 'TYPE') {
        if (f.type !== 'untyped' || f.samples.length) throw new Error(`${where}: TYPE for ${name} after its samples or twice`)
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest)) throw new Error(`${where}: unknown type ${rest}`)
        f.type = rest
      } else f.help = rest.replaceAll('\\n', '\n').replaceAll('\\\\', '\\')
      families.set(name, f)
      return
    }
    if (line.startsWith('#')) return
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$/.exec(line)
    if (!m) throw new Error(`${where}: not a sample: ${line}`)
    const [, name, labelText, valueText] = m
    const value = valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText)
    if (Number.isNaN(value) && valueText !== 'NaN') throw new Error(`${where}: bad value ${valueText}`)
    const labels = labelText ? parseLabels(labelText, where) : {}
    const f = families.get(name)
    if (!f || f.type === 'untyped') throw new Error(`${where}: sample of ${name} before its TYPE`)
    if (f.type === 'counter' && value < 0) throw new Error(`${where}: negative counter ${name}`)
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`
    if (series.has(key)) throw new Error(`${where}: duplicate series ${key}`)
    series.add(key)
    f.samples.push({name, labels, value})
  })
  return families
}

/** The value of the one sample of `name` whose labels include `labels`, or undefined. */
export function sampleValue(families: Map<string, ParsedFamily>, name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = (families.get(name)?.samples ?? []).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (hits.length > 1) throw new Error(`${name}${JSON.stringify(labels)}: ${hits.length} samples match`)
  return hits[0]?.value
}
