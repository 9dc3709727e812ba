import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { LevelDatastore } from 'datastore-level'
import { Level } from 'level'
import { MemoryDatastore } from 'datastore-core'
import { hasErrorCode } from '@tessera/errors'
import { DATASTORE_DIR } from './constants.js'
import { DataDirInUseError } from './errors.js'
import type { Datastore } from 'interface-datastore'

/** A datastore that the node opens and closes itself. */
export interface NodeStorage {
  datastore: Datastore
  close(): Promise<void>
}

/**
 * Opens the node's datastore: LevelDB under `<dataDir>/datastore` (DHT records, and long-term memory later), or an
 * in-memory store when no data dir is given (tests and simulations that want no disk state).
 */
export async function openStorage (dataDir?: string): Promise<NodeStorage> {
  if (dataDir == null) {
    return { datastore: new MemoryDatastore(), close: async () => {} }
  }
  const path = join(dataDir, DATASTORE_DIR)
  await mkdir(path, { recursive: true, mode: 0o700 })
  // Opened here rather than by LevelDatastore, which flattens the failure into a string: a held lock must be
  // reported as such (two nodes pointed at one data dir).
  const db = new Level<string, Uint8Array>(path, { keyEncoding: 'utf8', valueEncoding: 'view' })
  try {
    await db.open({ createIfMissing: true, compression: false })
  } catch (err) {
    if (err instanceof Error && hasErrorCode(err.cause, 'LEVEL_LOCKED')) {
      throw new DataDirInUseError(`${dataDir} is in use by another process (is another tessera node running with this data dir?)`, { cause: err })
    }
    throw err
  }
  const datastore = new LevelDatastore(db)
  await datastore.open()
  return { datastore, close: async () => { await datastore.close() } }
}
