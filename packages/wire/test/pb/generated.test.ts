import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { generate } from 'protons'

/** packages/wire, found by walking up from this file (it runs from test/ under tsx and dist/test/ compiled). */
function packageRoot (): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'src', 'pb', 'shard.proto'))) {
    const parent = dirname(dir)
    if (parent === dir) throw new Error('packages/wire not found above the test file')
    dir = parent
  }
  return dir
}

describe('generated protobuf code', () => {
  it('is what protons generates from the committed .proto files (run `npm run generate` after editing them)', async () => {
    const pbDir = join(packageRoot(), 'src', 'pb')
    const out = mkdtempSync(join(tmpdir(), 'tessera-wire-pb-'))
    try {
      for (const name of ['shard', 'metrics', 'capacity']) {
        await generate(join(pbDir, `${name}.proto`), { output: out })
        assert.equal(readFileSync(join(out, `${name}.ts`), 'utf8'), readFileSync(join(pbDir, `${name}.ts`), 'utf8'), `${name}.ts is stale`)
      }
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  })
})
