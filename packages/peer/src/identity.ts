import { mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { logger } from '@libp2p/logger'
import { hasErrorCode } from '@tessera/errors'
import { IDENTITY_FILE } from './constants.js'
import { IdentityFileTooOpenError, InvalidIdentityError } from './errors.js'
import type { PrivateKey } from '@libp2p/interface'

const log = logger('tessera:peer:identity')

/**
 * Loads the node's Ed25519 key from `<dataDir>/identity.key` (a protobuf-marshalled private key), creating and
 * persisting a fresh one the first time, so the same data dir always gives the same PeerId.
 *
 * @throws {IdentityFileTooOpenError} the key file is readable or writable by its group or others
 * @throws {InvalidIdentityError} the file is not an Ed25519 private key
 */
export async function loadOrCreateIdentity (dataDir: string): Promise<PrivateKey> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const file = join(dataDir, IDENTITY_FILE)
  const existing = await readIdentity(file)
  if (existing != null) {
    return existing
  }
  const key = await generateKeyPair('Ed25519')
  // Written to a temporary file and renamed so a crash never leaves a truncated key that would brick the dir.
  const tmp = `${file}.${process.pid}.tmp`
  const handle = await open(tmp, 'wx', 0o600)
  try {
    await handle.writeFile(privateKeyToProtobuf(key))
    await handle.sync()
  } finally {
    await handle.close()
  }
  try {
    await rename(tmp, file)
  } catch (err) {
    await unlink(tmp).catch((unlinkErr: unknown) => {
      // The rename's error is the one to report; a leftover temporary file is only clutter.
      log.error('could not remove %s - %e', tmp, unlinkErr)
    })
    throw err
  }
  return key
}

/**
 * Refuses a key file its group or others may read or write, as ssh refuses such a private key: the key is the
 * node's identity, and whoever reads it can sign capacity records in the node's name. Not on Windows, whose
 * permissions are not mode bits.
 *
 * @throws {IdentityFileTooOpenError}
 */
export async function checkIdentityFileMode (file: string, platform: NodeJS.Platform = process.platform): Promise<void> {
  if (platform === 'win32') return
  const mode = (await stat(file)).mode & 0o777
  if ((mode & 0o077) !== 0) {
    throw new IdentityFileTooOpenError(`the identity key ${file} has permissions 0${mode.toString(8)}: readable or writable by others than its owner. ` +
      `Run \`chmod 600 ${file}\` (or move it away to start with a new identity)`)
  }
}

async function readIdentity (file: string): Promise<PrivateKey | undefined> {
  let bytes: Uint8Array
  try {
    await checkIdentityFileMode(file)
    bytes = await readFile(file)
  } catch (err) {
    if (hasErrorCode(err, 'ENOENT')) {
      return undefined
    }
    throw err
  }
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new InvalidIdentityError(`${file} is not a protobuf-marshalled private key`, { cause: err })
  }
  if (key.type !== 'Ed25519') {
    throw new InvalidIdentityError(`${file} holds a ${key.type} key; tessera nodes use Ed25519`)
  }
  return key
}
