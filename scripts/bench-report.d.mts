export function stamp(root: string): string
export function writeBenchReport(file: string, results: Record<string, unknown>, render: Record<string, (result: unknown) => string | undefined>, full: boolean, root: string): string[]
