import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Key } from 'interface-datastore'
import { DataDirInUseError, openStorage } from '../src/index.js'
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
})
