// Runs every package's compiled tests and the cross-package ones in test/ with Node's built-in runner.
// Prints the runtime first so the log proves which Node ran the suite (the repository pins Node 24).
import { spawnSync } from 'node:child_process'
import { globSync } from 'node:fs'

console.log(`tessera tests on node ${process.version} (${process.execPath})`)
const patterns = ['packages/*/dist/test/**/*.test.js', 'scripts/dist/test/**/*.test.js', 'test/dist/**/*.test.js']
const files = patterns.flatMap((pattern) => globSync(pattern)).sort()
if (files.length === 0) {
  console.error('no compiled test files found: run `npm run build` first')
  process.exit(1)
}
const extra = process.argv.slice(2)
const result = spawnSync(process.execPath, ['--test', '--test-force-exit', '--test-concurrency=2', ...extra, ...files], { stdio: 'inherit' })
process.exit(result.status ?? 1)
