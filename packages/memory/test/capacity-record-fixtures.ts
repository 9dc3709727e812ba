import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Ed25519PrivateKey } from '@libp2p/interface'
import type { CapacityRecord } from '../src/capacity-record.js'
import { InauthenticRecordError, MalformedRecordError, RecordExpiryError } from '../src/errors.js'

/** A deterministic Ed25519 key from a small integer. */
export async function keyFromSeed (n: number): Promise<Ed25519PrivateKey> {
  const seed = new Uint8Array(32)
  seed[0] = n & 0xff
  seed[1] = (n >>> 8) & 0xff
  return generateKeyPairFromSeed('Ed25519', seed)
}

export const NOW_MS = 1_795_000_000_000

/** An assert.throws/rejects check: `err` is an `ErrorClass` whose message matches (tells folded failures apart). */
export function failsWith (ErrorClass: abstract new (...args: never[]) => Error, message: RegExp): (err: unknown) => boolean {
  return (err) => err instanceof ErrorClass && message.test(err.message)
}

/** Whether `err` is one of the named errors a capacity record is rejected with (and not, say, a TypeError). */
export function isRecordRejection (err: unknown): boolean {
  return err instanceof MalformedRecordError || err instanceof InauthenticRecordError || err instanceof RecordExpiryError
}

/** Whether `validation` rejects with one of those named errors (a property's verdict; accepting is a failure). */
export async function rejectsAsRecord (validation: Promise<unknown>): Promise<boolean> {
  try {
    await validation
    return false
  } catch (err) {
    return isRecordRejection(err)
  }
}

export function recordFor (key: Ed25519PrivateKey, overrides: Partial<CapacityRecord> = {}): CapacityRecord {
  return {
    peerId: peerIdFromPrivateKey(key).toString(),
    device: { preset: 'rram-4bit', geometry: { rows: 256, cols: 256 }, noiseLevel: 0.031 },
    tilesTotal: 64,
    tilesFree: 40,
    throughputGflopPerSecond: 12.5,
    queueDepth: 2,
    reachability: 'public',
    natKind: 'none',
    addresses: ['/ip4/127.0.0.1/tcp/4001', '/ip4/127.0.0.1/tcp/4002/ws'],
    sequence: 7,
    issuedAtMs: NOW_MS - 1000,
    expiresAtMs: NOW_MS + 119_000,
    ...overrides
  }
}
