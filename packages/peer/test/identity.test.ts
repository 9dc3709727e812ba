import assert from 'node:assert/strict'
import { stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IDENTITY_FILE, InvalidIdentityError, loadOrCreateIdentity } from '../src/index.js'
import { withTempDir } from './helpers.js'

describe('loadOrCreateIdentity', () => {
  it('creates an Ed25519 key once and returns the same key afterwards', async () => {
    await withTempDir(async (dir) => {
      const first = await loadOrCreateIdentity(dir)
      const second = await loadOrCreateIdentity(dir)
      assert.equal(first.type, 'Ed25519')
      assert.ok(peerIdFromPrivateKey(first).equals(peerIdFromPrivateKey(second)))
    })
  })

  it('writes the key file readable by its owner only', async () => {
    await withTempDir(async (dir) => {
      await loadOrCreateIdentity(dir)
      const s = await stat(join(dir, IDENTITY_FILE))
      assert.equal(s.mode & 0o777, 0o600)
    })
  })

  it('different dirs give different peers', async () => {
    await withTempDir(async (a) => {
      await withTempDir(async (b) => {
        const ka = await loadOrCreateIdentity(a)
        const kb = await loadOrCreateIdentity(b)
        assert.ok(!peerIdFromPrivateKey(ka).equals(peerIdFromPrivateKey(kb)))
      })
    })
  })

  it('rejects a file that is not a marshalled private key', async () => {
    await withTempDir(async (dir) => {
      await writeFile(join(dir, IDENTITY_FILE), new Uint8Array([1, 2, 3, 4, 5]))
      await assert.rejects(loadOrCreateIdentity(dir), InvalidIdentityError)
    })
  })

  it('rejects a key of another type than Ed25519', async () => {
    await withTempDir(async (dir) => {
      const key = await generateKeyPair('secp256k1')
      await writeFile(join(dir, IDENTITY_FILE), privateKeyToProtobuf(key))
      await assert.rejects(loadOrCreateIdentity(dir), InvalidIdentityError)
    })
  })
})
