// The layering rule of DESIGN.md section 3, as a test over every import in src/ (eslint checks the
// same; this makes it part of the suite): src/core is pure and imports no other layer; only
// src/adapters touches fs, child_process and D-Bus; src/app and src/commands import adapters for their
// types only (src/ports.ts), the real ones are built in src/wiring, and src/app never imports src/wiring.
import assert from 'node:assert/strict'
import {readdirSync, readFileSync} from 'node:fs'
import {dirname, join, relative, resolve} from 'node:path'
import {describe, test} from 'node:test'
import ts from 'typescript'
import {ROOT} from '../support/spawn.js'

const SRC = join(ROOT, 'src')
/** OS access src/core must not have (eslint's list for src/core). */
const CORE_FORBIDDEN = ['fs', 'child_process', 'net', 'dgram', 'dns', 'http', 'https', 'dbus-next']
/** What only src/adapters may import. */
const ADAPTERS_ONLY = ['fs', 'child_process', 'dbus-next']

type SourceFile = {path: string; text: string}

/** Every module specifier a file imports: static, type-only, re-exports, dynamic import() and require(). */
function importsOf(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName)
}

/** `node:fs/promises` -> `fs`; `dbus-next/lib/x` -> `dbus-next`; `@scope/pkg/x` -> `@scope/pkg`. */
function moduleName(spec: string): string {
  const bare = spec.replace(/^node:/, '')
  const parts = bare.split('/')
  return bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]
}

/** The layer (first directory under src/) a path is in. */
function layerOf(path: string): string {
  return relative(SRC, path).split('/')[0]
}

/** The module specifiers a file imports for types only (`import type`, `import {type A, type B}`, `export type`). */
function typeOnlyImportsOf(text: string): string[] {
  const sf = ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS)
  const out: string[] = []
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier)) {
      const c = st.importClause
      const named = c?.namedBindings
      const allTypes = c !== undefined && (c.isTypeOnly || (!c.name && named !== undefined && ts.isNamedImports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly)))
      if (allTypes) out.push(st.moduleSpecifier.text)
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) && st.isTypeOnly) {
      out.push(st.moduleSpecifier.text)
    }
  }
  return out
}

/** Imports that load code at run time: every import minus the type-only ones. */
function runtimeImportsOf(text: string): string[] {
  const typeOnly = typeOnlyImportsOf(text)
  return importsOf(text).filter((spec) => {
    const i = typeOnly.indexOf(spec)
    if (i < 0) return true
    typeOnly.splice(i, 1)
    return false
  })
}

/** Every violation of the rule in these files, as `file: imports 'x' (why)`. */
function violations(files: SourceFile[]): string[] {
  const out: string[] = []
  for (const {path, text} of files) {
    const layer = layerOf(path)
    const name = relative(ROOT, path)
    const runtime = runtimeImportsOf(text)
    for (const spec of importsOf(text)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(path), spec)
        const targetLayer = layerOf(target)
        if (target.startsWith(`${SRC}/`) || target === SRC) {
          if (layer === 'core' && targetLayer !== 'core') out.push(`${name}: imports '${spec}' (src/core imports nothing of the other layers, here ${targetLayer})`)
          else if ((layer === 'app' || layer === 'commands' || layer === 'cli') && targetLayer === 'adapters' && runtime.includes(spec)) out.push(`${name}: imports '${spec}' at run time (src/${layer} gets adapters passed in: types from src/ports.ts, built in src/wiring)`)
          else if (layer === 'app' && targetLayer === 'wiring') out.push(`${name}: imports '${spec}' (src/app never depends on the wiring root)`)
        } else {
          out.push(`${name}: imports '${spec}' (outside src/)`)
        }
        continue
      }
      const mod = moduleName(spec)
      if (layer === 'core' && CORE_FORBIDDEN.includes(mod)) out.push(`${name}: imports '${spec}' (src/core is pure: OS access belongs in src/adapters)`)
      else if (layer !== 'adapters' && ADAPTERS_ONLY.includes(mod)) out.push(`${name}: imports '${spec}' (only src/adapters touches fs, child_process and D-Bus)`)
    }
  }
  return out
}

function sourceFiles(dir: string): SourceFile[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const path = join(dir, e.name)
    if (e.isDirectory()) return sourceFiles(path)
    return /\.(ts|mts|cts|js|mjs)$/.test(e.name) ? [{path, text: readFileSync(path, 'utf8')}] : []
  })
}

describe('layering', () => {
  test('src/ follows the rule', () => {
    const files = sourceFiles(SRC)
    assert.ok(files.some((f) => layerOf(f.path) === 'core'), 'found src/core')
    assert.ok(files.some((f) => layerOf(f.path) === 'adapters'), 'found src/adapters')
    assert.deepEqual(violations(files), [])
  })

  test('the checker sees every kind of import (it can fail)', () => {
    const at = (p: string, text: string): SourceFile => ({path: join(SRC, p), text})
    const found = violations([
      at('core/a.ts', "import {readFileSync} from 'node:fs'"),
      at('core/b.ts', "import type {Exec} from '../adapters/exec.js'\nexport {x} from './x.js'"),
      at('core/c.ts', "const cp = await import('child_process')"),
      at('core/d.ts', "import * as p from 'node:fs/promises'"),
      at('core/e.ts', "import net from 'node:net'\nimport {x} from '../config/schema.js'"),
      at('core/f.ts', "export * from '../cli/hot.js'"),
      at('app/g.ts', "import {execFile} from 'node:child_process'"),
      at('config/h.ts', "const fs = require('fs')"),
      at('commands/i.ts', "import {\n  systemBus,\n} from 'dbus-next'"),
      at('cli/j.ts', "import 'node:fs'"),
      at('adapters/k.ts', "import {readFileSync} from 'node:fs'\nimport {x} from '../core/y.js'"),
      at('app/l.ts', "// import fs from 'node:fs' in a comment is not an import\nimport {x} from '../adapters/files.js'"),
      at('core/m.ts', "import {parse} from 'smol-toml'\nimport {ok} from './n.js'"),
      at('commands/o.ts', "import {createExec} from '../adapters/exec.js'\nimport {createDaemonDeps} from '../wiring/daemon.js'"),
      at('app/p.ts', "import type {Exec} from '../adapters/exec.js'\nimport {type Lock, type Logger} from '../adapters/lock.js'\nexport type {X} from '../adapters/x.js'"),
      at('app/q.ts', "import {type Exec, createExec} from '../adapters/exec.js'"),
      at('app/r.ts', "const w = await import('../wiring/daemon.js')"),
      at('wiring/s.ts', "import {createExec} from '../adapters/exec.js'"),
      at('cli/t.ts', "import {readStdin} from '../adapters/stdin.js'\nimport {readStdin as r} from '../wiring/cli.js'"),
    ]).map((v) => v.split(':')[0])
    assert.deepEqual(found, [
      'src/core/a.ts',
      'src/core/b.ts',
      'src/core/c.ts',
      'src/core/d.ts',
      'src/core/e.ts', 'src/core/e.ts',
      'src/core/f.ts',
      'src/app/g.ts',
      'src/config/h.ts',
      'src/commands/i.ts',
      'src/cli/j.ts',
      'src/app/l.ts',
      'src/commands/o.ts',
      'src/app/q.ts',
      'src/app/r.ts',
      'src/cli/t.ts',
    ])
  })
})
