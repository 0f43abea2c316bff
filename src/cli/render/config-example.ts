export type ExampleResult = {
  kind: string
  from: string | null
  /** The configuration printed; "" when it was written to files (--output-dir). */
  text: string
  /** The files written (--output-dir), in the order written. */
  written?: string[]
}

/** The configuration itself (its final newline comes from the printer), or the paths written. */
export function renderConfigExample(r: ExampleResult): string {
  return r.written ? r.written.join('\n') : r.text.trimEnd()
}
