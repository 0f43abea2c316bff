import {Args, Flags} from '@oclif/core'
import type {ArgSpec} from './command.js'
import type {FlagSpecs} from './flag-spec.js'

/** oclif flag objects built from the shared specs (see flag-spec.ts). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toOclifFlags(specs: FlagSpecs, helpGroup?: string): Record<string, any> {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const out: Record<string, any> = {}
  for (const [name, s] of Object.entries(specs)) {
    const common = {description: s.description, char: s.char as never, helpGroup}
    if (s.type === 'boolean') out[name] = Flags.boolean({...common, default: s.default, allowNo: false})
    else if (s.type === 'integer') out[name] = Flags.integer({...common, min: s.min, max: s.max, default: s.default, helpValue: s.helpValue})
    else if (s.multiple) out[name] = Flags.string({...common, multiple: true, options: s.options as string[] | undefined, helpValue: s.helpValue})
    else out[name] = Flags.string({...common, options: s.options as string[] | undefined, default: s.default, helpValue: s.helpValue})
  }
  return out
}

/** oclif args built from a command's ArgSpecs, in order. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function toOclifArgs(specs: readonly ArgSpec[] = []): Record<string, any> {
  return Object.fromEntries(specs.map((a) => [a.name, Args.string({description: a.description, ...(a.required === undefined ? {} : {required: a.required}), ...(a.options ? {options: [...a.options]} : {})})]))
}
