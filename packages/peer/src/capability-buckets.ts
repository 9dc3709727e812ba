/**
 * The tree of capability buckets a node provides under. Level ℓ ≥ 1 splits the nodes into CAPABILITY_BUCKETS^ℓ buckets
 * by a hash of the peer id, each level nesting in the one above (bucket i at level ℓ holds the nodes of buckets i,
 * i + 8^ℓ, i + 2·8^ℓ… at level ℓ + 1). kad-dht's findProviders lists about DHT_FIND_PROVIDERS_LIMIT providers of one
 * key, so a full answer says "there are more below": discovery descends into a bucket's children only then, and the
 * levels it walks grow with log N. Level 1 keeps the names and the assignment (first hash byte mod 8) of the original
 * eight buckets.
 *
 * The root (level 0, the well-known capability CID) is no node's to provide: discovery starts at level 1's eight
 * buckets (FIRST_BUCKETS). Every node used to provide it, and all it ever told was whether the network had more than
 * 20 nodes — at the cost of a lookup and 20 messages per node, all converging on the same 20 peers. Its eight children
 * list the same nodes; a client asks eight keys instead of one in a network of fewer than 20 nodes.
 */
import { createHash } from 'node:crypto'
import { CAPABILITY_NAME, TESSERA_CAPABILITY_CID, capabilityCid } from '@tessera/memory'
import { CAPABILITY_BUCKETS, CAPABILITY_BUCKET_LEVELS } from './constants.js'
import type { CID } from 'multiformats/cid'
import type { PeerId } from '@libp2p/interface'

/** One bucket of the tree: `index` in [0, CAPABILITY_BUCKETS^level). */
export interface BucketRef {
  level: number
  index: number
}

/** The tree's root, the well-known capability CID (provided by no node; see the file comment). */
export const ROOT_BUCKET: BucketRef = { level: 0, index: 0 }

/** Buckets at `level`. */
export function bucketsAtLevel (level: number): number {
  return CAPABILITY_BUCKETS ** level
}

/** The first four bytes of SHA-256(peer id string), little-endian: every level's index is this modulo its size. */
function peerHash (peer: PeerId | string): number {
  return createHash('sha256').update(peer.toString(), 'utf8').digest().readUInt32LE(0)
}

/** The bucket `peer` provides under at `level`. */
export function bucketOfPeer (peer: PeerId | string, level: number): BucketRef {
  return { level, index: peerHash(peer) % bucketsAtLevel(level) }
}

/** Every bucket `peer` provides under, one per level from level 1 down. */
export function bucketsOfPeer (peer: PeerId | string): BucketRef[] {
  return Array.from({ length: CAPABILITY_BUCKET_LEVELS - 1 }, (_, i) => bucketOfPeer(peer, i + 1))
}

/** The buckets one level down that together hold exactly the nodes of `bucket` (none below the last level). */
export function childBuckets (bucket: BucketRef): BucketRef[] {
  if (bucket.level + 1 >= CAPABILITY_BUCKET_LEVELS) return []
  const stride = bucketsAtLevel(bucket.level)
  return Array.from({ length: CAPABILITY_BUCKETS }, (_, j) => ({ level: bucket.level + 1, index: bucket.index + j * stride }))
}

/** The buckets discovery starts from: level 1's, the root's children. */
export const FIRST_BUCKETS: readonly BucketRef[] = Object.freeze(childBuckets(ROOT_BUCKET))

/** A printable name of a bucket, e.g. `2/37`. */
export function bucketName (bucket: BucketRef): string {
  return `${bucket.level}/${bucket.index}`
}

/** The CID providers announce for a bucket (level 1 keeps the original `…/bucket/<i>` names). */
export function bucketCid (bucket: BucketRef): CID {
  if (bucket.level === 0) return TESSERA_CAPABILITY_CID
  if (bucket.level === 1) return capabilityCid(`${CAPABILITY_NAME}/bucket/${bucket.index}`)
  return capabilityCid(`${CAPABILITY_NAME}/bucket/${bucket.level}/${bucket.index}`)
}
