/**
 * Declarative key specs: one table drives validation, defaults, `config show` and the docs,
 * so a key cannot be documented one way and validated another.
 */
export type Spec<T> = {
  readonly type: 'string' | 'int' | 'bool' | 'enum' | 'list'
  readonly default: T
  readonly doc: string
  readonly required?: boolean
  readonly min?: number
  readonly max?: number
  readonly values?: readonly string[]
  /** Older name of another key ("section.key"): still read, never rendered; the new key wins when both agree. */
  readonly aliasOf?: string
  /** A key that no longer does anything: setting it is a config error with this migration hint. */
  readonly retired?: string
  /** Extra check on a well-typed value; returns what is expected, or undefined when fine. */
  check?(value: T): string | undefined
}

export type Section = Readonly<Record<string, Spec<unknown>>>
export type SectionValues<S extends Section> = {-readonly [K in keyof S]: S[K] extends Spec<infer T> ? T : never}

export const str = (def: string, doc: string, extra: Partial<Pick<Spec<string>, 'required' | 'check'>> = {}): Spec<string> =>
  ({type: 'string', default: def, doc, ...extra})
export const int = (def: number, min: number, max: number, doc: string, check?: (v: number) => string | undefined): Spec<number> =>
  ({type: 'int', default: def, min, max, doc, check})
export const bool = (def: boolean, doc: string): Spec<boolean> => ({type: 'bool', default: def, doc})
export const oneOf = <const V extends string>(values: readonly V[], def: V, doc: string): Spec<V> =>
  ({type: 'enum', values, default: def, doc})
export const list = (def: string[], doc: string, check?: (v: string[]) => string | undefined): Spec<string[]> =>
  ({type: 'list', default: def, doc, check})

/** What a spec expects, in the words of an error message. */
export function describeSpec(spec: Spec<unknown>): string {
  switch (spec.type) {
    case 'int': return `an integer ${spec.min}..${spec.max}`
    case 'bool': return 'true or false'
    case 'enum': return `one of ${spec.values!.map((v) => JSON.stringify(v)).join(', ')}`
    case 'list': return 'an array of strings'
    default: return 'a string'
  }
}

/** Marks a key as the documented older name of `of` ("section.key"). */
export const aliasOf = <T>(of: string, spec: Spec<T>): Spec<T> => ({...spec, aliasOf: of, doc: `alias of ${of} (older name, still read): ${spec.doc}`})
/** Marks a key as retired: any value other than its default is refused with `how` to migrate. */
export const retired = <T>(how: string, spec: Spec<T>): Spec<T> => ({...spec, retired: how, doc: `retired: ${how}`})
