import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Key } from 'interface-datastore'
import { DATASTORE_DIR, DataDirInUseError, StorageOpenError, openStorage } from '../src/index.js'
import { withTempDir } from './helpers.js'

describe('openStorage', () => {
  it('keeps values across close and reopen of the same dir', async () => {
    await withTempDir(async (dir) => {
      const a = await openStorage(dir)
      await a.datastore.put(new Key('/x/y'), new Uint8Array([7, 8, 9]))
      await a.close()
      const b = await openStorage(dir)
      try {
        assert.deepEqual([...await b.datastore.get(new Key('/x/y'))], [7, 8, 9])
      } finally {
        await b.close()
      }
    })
  })

  it('refuses a data dir whose datastore another opener holds', async () => {
    await withTempDir(async (dir) => {
      const a = await openStorage(dir)
      try {
        await assert.rejects(openStorage(dir), DataDirInUseError)
      } finally {
        await a.close()
      }
    })
  })

  it('without a dir gives an empty in-memory store', async () => {
    const s = await openStorage()
    assert.equal(await s.datastore.has(new Key('/x/y')), false)
    await s.close()
  })

  it('names the path and LevelDB\'s reason when the datastore does not open', async () => {
    await withTempDir(async (dir) => {
      await (await openStorage(dir)).close()
      await writeFile(join(dir, DATASTORE_DIR, 'CURRENT'), 'MANIFEST-424242\n')
      await assert.rejects(openStorage(dir), (err: unknown) => err instanceof StorageOpenError && err.code === 'ERR_STORAGE_OPEN' &&
        err.message.includes(join(dir, DATASTORE_DIR)) && err.message.includes('MANIFEST-424242') && err.cause instanceof Error)
    })
  })

  it('names the path when the datastore directory cannot be created', async () => {
    await withTempDir(async (dir) => {
      const notADir = join(dir, 'file')
      await writeFile(notADir, 'x')
      await assert.rejects(openStorage(notADir), (err: unknown) => err instanceof StorageOpenError && err.message.includes(join(notADir, DATASTORE_DIR)))
    })
  })
})
