import assert from 'node:assert/strict'
import { chmod, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { IDENTITY_FILE, IdentityFileTooOpenError, InvalidIdentityError, checkIdentityFileMode, loadOrCreateIdentity } from '../src/index.js'
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
      await writeFile(join(dir, IDENTITY_FILE), new Uint8Array([1, 2, 3, 4, 5]), { mode: 0o600 })
      await assert.rejects(loadOrCreateIdentity(dir), InvalidIdentityError)
    })
  })

  it('rejects a key of another type than Ed25519', async () => {
    await withTempDir(async (dir) => {
      const key = await generateKeyPair('secp256k1')
      await writeFile(join(dir, IDENTITY_FILE), privateKeyToProtobuf(key), { mode: 0o600 })
      await assert.rejects(loadOrCreateIdentity(dir), InvalidIdentityError)
    })
  })

  it('refuses a key file its group or others may read or write, naming the file, its mode and the fix', async () => {
    await withTempDir(async (dir) => {
      const created = await loadOrCreateIdentity(dir)
      const file = join(dir, IDENTITY_FILE)
      for (const mode of [0o644, 0o640, 0o604, 0o620, 0o602]) {
        await chmod(file, mode)
        await assert.rejects(loadOrCreateIdentity(dir), (err: unknown) => err instanceof IdentityFileTooOpenError &&
          err.code === 'ERR_IDENTITY_FILE_TOO_OPEN' && err.message.includes(file) && err.message.includes(`0${mode.toString(8)}`) && err.message.includes(`chmod 600 ${file}`))
      }
      for (const mode of [0o600, 0o400]) {
        await chmod(file, mode)
        assert.ok(peerIdFromPrivateKey(await loadOrCreateIdentity(dir)).equals(peerIdFromPrivateKey(created)), `mode 0${mode.toString(8)} loads`)
      }
    })
  })

  it('does not judge mode bits on Windows, whose permissions are not mode bits', async () => {
    await withTempDir(async (dir) => {
      await loadOrCreateIdentity(dir)
      const file = join(dir, IDENTITY_FILE)
      await chmod(file, 0o644)
      await checkIdentityFileMode(file, 'win32')
      await assert.rejects(checkIdentityFileMode(file, 'linux'), IdentityFileTooOpenError)
    })
  })
})
