export type ExampleResult = {kind: string; from: string | null; text: string}

/** The configuration itself (its final newline comes from the printer). */
export function renderConfigExample(r: ExampleResult): string {
  return r.text.trimEnd()
}
