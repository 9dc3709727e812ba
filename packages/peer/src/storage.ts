import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { Level } from 'level'
import { MemoryDatastore } from 'datastore-core'
import { describeError, hasErrorCode } from '@tessera/errors'
import { DATASTORE_DIR, IDENTITY_FILE } from './constants.js'
import { DataDirInUseError, StorageOpenError } from './errors.js'
import { PeerStoreCache } from './peer-store-cache.js'
import type { Datastore } from 'interface-datastore'

/** A datastore that the node opens and closes itself. */
export interface NodeStorage {
  datastore: Datastore
  close(): Promise<void>
}

/**
 * Opens the node's datastore: LevelDB under `<dataDir>/datastore` (DHT records, and long-term memory later), or an
 * in-memory store when no data dir is given (tests and simulations that want no disk state). On LevelDB the peer
 * store's entries are cached in memory and written behind (./peer-store-cache.ts).
 */
export async function openStorage (dataDir?: string): Promise<NodeStorage> {
  if (dataDir == null) {
    return { datastore: new MemoryDatastore(), close: async () => {} }
  }
  const path = join(dataDir, DATASTORE_DIR)
  try {
    await mkdir(path, { recursive: true, mode: 0o700 })
  } catch (err) {
    throw new StorageOpenError(`cannot create the datastore directory ${path}: ${describeError(err)}`, { cause: err })
  }
  // Opened here rather than by LevelDatastore, which flattens the failure into a string: a held lock must be
  // reported as such (two nodes pointed at one data dir), anything else with the path and LevelDB's own reason.
  const db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    await db.open({ createIfMissing: true, compression: false })
  } catch (err) {
    const cause = err instanceof Error ? err.cause : undefined
    if (hasErrorCode(cause, 'LEVEL_LOCKED')) {
      throw new DataDirInUseError(`${dataDir} is in use by another process (is another tessera node running with this data dir?)`, { cause: err })
    }
    // Level's own message is only "Database failed to open"; the reason (corruption, I/O, permissions) is its cause.
    throw new StorageOpenError(`cannot open the datastore at ${path}: ${describeError(cause ?? err)} ` +
      `(if it is corrupt, move it aside to start with an empty one; the node's identity is kept apart, in ${join(dataDir, IDENTITY_FILE)})`, { cause: err })
  }
  const level = new LevelDatastore(db)
  await level.open()
  const datastore = new PeerStoreCache(level)
  return {
    datastore,
    close: async () => {
      await datastore.close()
      await level.close()
    }
  }
}
