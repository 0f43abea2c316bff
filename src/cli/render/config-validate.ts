export type ValidateResult = {file: string; valid: boolean; problems: string[]}

/** `FILE: valid`, or one line per problem (FILE:LINE: key: what was expected and found). */
export function renderConfigValidate(r: ValidateResult): string {
  return r.valid ? `${r.file}: valid` : r.problems.join('\n')
}
