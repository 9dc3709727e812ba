/**
 * Discovery: every tessera node provides one well-known CID in the DHT; a coordinator calls findProviders on
 * it, then reads each provider's capacity record.
 */
import { createHash } from 'node:crypto'
import { CID } from 'multiformats/cid'
import * as raw from 'multiformats/codecs/raw'
import * as Digest from 'multiformats/hashes/digest'
import { sha256 } from 'multiformats/hashes/sha2'
import { CAPABILITY_NAME } from './constants.js'

/** CID v1 (raw codec, SHA-256) of a capability name. Computed synchronously so it can be a constant. */
export function capabilityCid (name: string = CAPABILITY_NAME): CID {
  const digest = createHash('sha256').update(name, 'utf8').digest()
  return CID.createV1(raw.code, Digest.create(sha256.code, new Uint8Array(digest)))
}

/** The CID every tessera node provides: `capabilityCid('tessera/capability/v1')`. */
export const TESSERA_CAPABILITY_CID: CID = capabilityCid()
