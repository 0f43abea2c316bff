import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'coverage/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', URL: 'readonly', structuredClone: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', NodeJS: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly'}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_'}],
      'no-empty': ['error', {allowEmptyCatch: true}],
    },
  },
  {
    // CommonJS on purpose: the hot entry (bin/package.json) and the benchmark floors.
    files: ['bin/**/*.js', '**/*.cjs'],
    languageOptions: {sourceType: 'commonjs', globals: {require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly'}},
    rules: {'@typescript-eslint/no-require-imports': 'off'},
  },
  {
    // The functional core: no OS access, and nothing from the layers around it.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {patterns: [
        {group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'child_process', 'dbus-next', 'node:net', 'node:dgram', 'node:dns', 'node:http', 'node:https'], message: 'src/core is pure: OS access belongs in src/adapters'},
        {group: ['../adapters/*', '../app/*', '../commands/*', '../cli/*', '../config/*'], message: 'src/core imports nothing of the other layers'},
      ]}],
    },
  },
  {
    files: ['src/app/**/*.ts', 'src/config/**/*.ts', 'src/commands/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {patterns: [
        {group: ['node:fs', 'node:fs/*', 'fs', 'node:child_process', 'child_process', 'dbus-next'], message: 'only src/adapters touches fs, child_process and D-Bus'},
      ]}],
    },
  },
  {
    // Use-cases and commands get adapters passed in: their types come from src/ports.ts, the real
    // ones are built only in src/wiring (the composition root). Type-only imports are fine.
    files: ['src/app/**/*.ts', 'src/commands/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {patterns: [
        {group: ['**/adapters/*', '**/adapters/**'], allowTypeImports: true, message: 'no runtime imports of src/adapters here: take the adapter as an argument (types from src/ports.ts), build it in src/wiring'},
      ]}],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', {patterns: [
        {group: ['**/adapters/*', '**/adapters/**'], allowTypeImports: true, message: 'no runtime imports of src/adapters here: take the adapter as an argument (types from src/ports.ts), build it in src/wiring'},
        {group: ['**/wiring/*', '**/wiring/**'], message: 'src/app never depends on the wiring root: src/wiring builds the use-cases\' adapters, not the other way round'},
      ]}],
    },
  },
)
