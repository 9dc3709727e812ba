/**
 * Capacity records: what a node can do right now (device, free tiles, measured throughput, queue, how it can be
 * reached), signed by the node's libp2p key so a coordinator can trust a record read from any DHT peer.
 *
 * Signed bytes: UTF-8 {@link CAPACITY_RECORD_SIGNATURE_DOMAIN} followed by the protobuf-encoded body. The
 * envelope carries the body bytes exactly as signed, so verification never depends on re-encoding.
 */
import { publicKeyFromProtobuf, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { pb } from '@tessera/wire'
import type { PeerId, PrivateKey, PublicKey } from '@libp2p/interface'
import {
  CAPACITY_RECORD_SIGNATURE_DOMAIN, MAX_CAPACITY_RECORD_SIZE_BYTES, RECORD_FIELD_LIMITS
} from './constants.js'
import { InauthenticRecordError, MalformedRecordError } from './errors.js'

/** How a node can be reached: `public` (dialable directly), `private` (behind NAT, via relay), `unknown`. */
export type Reachability = 'public' | 'private' | 'unknown'

/** The NAT a node sits behind, as far as it can tell. */
export type NatKind = 'none' | 'cone' | 'symmetric' | 'unknown'

/** The device a node emulates (a summary of the crossbar's DeviceProfile). */
export interface CapacityDevice {
  preset: string
  geometry: { rows: number, cols: number }
  /** Expected relative output error of one MVM at t = 1 s (dimensionless; 0 for an ideal device). */
  noiseLevel: number
}

/** One capacity record, as published under `/tessera/cap/<peerId>`. */
export interface CapacityRecord {
  /** The publishing peer (string form). */
  peerId: string
  device: CapacityDevice
  tilesTotal: number
  tilesFree: number
  /** Measured MVM throughput in GFLOP/s (2 FLOPs per multiply-accumulate, full-tile MVMs). */
  throughputGflopPerSecond: number
  /** Shard requests waiting or running when the record was issued. */
  queueDepth: number
  reachability: Reachability
  natKind: NatKind
  /** Multiaddr strings the peer can be dialled on. */
  addresses: string[]
  /** Grows with every publication; the DHT selector keeps the highest. */
  sequence: number
  /** When the record was signed (ms since the Unix epoch). */
  issuedAtMs: number
  /** After this instant (ms since the Unix epoch) validators reject the record. */
  expiresAtMs: number
  /**
   * The node is leaving: it drains its calls in flight and stops, so coordinators re-place its shards and place
   * nothing new on it. Only present (true) while it leaves; records of nodes that predate the field lack it.
   */
  leaving?: boolean
}

const REACHABILITY_TO_PB: Record<Reachability, pb.Reachability> = {
  public: pb.Reachability.REACHABILITY_PUBLIC,
  private: pb.Reachability.REACHABILITY_PRIVATE,
  unknown: pb.Reachability.REACHABILITY_UNKNOWN
}
const NAT_TO_PB: Record<NatKind, pb.NatKind> = {
  none: pb.NatKind.NAT_NONE,
  cone: pb.NatKind.NAT_CONE,
  symmetric: pb.NatKind.NAT_SYMMETRIC,
  unknown: pb.NatKind.NAT_UNKNOWN
}

/** The inverse of a one-to-one table (the protobuf enum of a record field back to its name). */
function inverse<K extends string, V extends string> (table: Record<K, V>): Record<V, K> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k])) as Record<V, K>
}

const REACHABILITY_FROM_PB = inverse(REACHABILITY_TO_PB)
const NAT_FROM_PB = inverse(NAT_TO_PB)

const encoder = new TextEncoder()
const DOMAIN_BYTES = encoder.encode(CAPACITY_RECORD_SIGNATURE_DOMAIN)
const UINT32_MAX = 0xffffffff

function fail (why: string): never {
  throw new MalformedRecordError(`capacity record: ${why}`)
}

function checkUint32 (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT32_MAX) fail(`${what} must be an integer in [0, ${UINT32_MAX}]`)
  return value
}

function checkSafe (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) fail(`${what} must be a non-negative safe integer`)
  return value
}

function checkFiniteNonNegative (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${what} must be finite and non-negative`)
  return value
}

function checkText (value: unknown, what: string, maxBytes: number): string {
  if (typeof value !== 'string' || value.length === 0) fail(`${what} must be a non-empty string`)
  // A lone surrogate would not survive UTF-8 encoding: the signed bytes would say something else.
  if (!value.isWellFormed()) fail(`${what} is not well-formed Unicode`)
  if (value.length > maxBytes || encoder.encode(value).byteLength > maxBytes) fail(`${what} is longer than ${maxBytes} bytes`)
  return value
}

function parsePeerId (text: string): PeerId {
  try {
    return peerIdFromString(text)
  } catch (err) {
    return fail(`peer id ${JSON.stringify(text.slice(0, 80))} does not parse: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/**
 * Checks every field of a record (types, ranges, tiles free ≤ total, issued ≤ expires, bounded addresses) and
 * returns a clean copy holding only the known fields.
 *
 * @throws {MalformedRecordError}
 */
export function checkCapacityRecord (record: CapacityRecord): CapacityRecord {
  if (record == null || typeof record !== 'object') fail('not an object')
  const peerId = checkText(record.peerId, 'peer id', 256)
  // Only the canonical string form is accepted, so records and keys can be compared as strings.
  if (parsePeerId(peerId).toString() !== peerId) fail(`peer id ${peerId} is not in canonical form`)
  const device = record.device
  if (device == null || typeof device !== 'object' || device.geometry == null || typeof device.geometry !== 'object') fail('device missing')
  const preset = checkText(device.preset, 'device preset', RECORD_FIELD_LIMITS.presetLengthBytes)
  const rows = checkUint32(device.geometry.rows, 'geometry rows')
  const cols = checkUint32(device.geometry.cols, 'geometry cols')
  if (rows === 0 || cols === 0) fail('tile geometry must be at least 1×1')
  const noiseLevel = checkFiniteNonNegative(device.noiseLevel, 'noise level')
  const tilesTotal = checkUint32(record.tilesTotal, 'tiles total')
  const tilesFree = checkUint32(record.tilesFree, 'tiles free')
  if (tilesFree > tilesTotal) fail(`tiles free ${tilesFree} exceeds tiles total ${tilesTotal}`)
  const throughputGflopPerSecond = checkFiniteNonNegative(record.throughputGflopPerSecond, 'throughput')
  const queueDepth = checkUint32(record.queueDepth, 'queue depth')
  if (!Object.hasOwn(REACHABILITY_TO_PB, record.reachability)) fail(`unknown reachability ${String(record.reachability)}`)
  if (!Object.hasOwn(NAT_TO_PB, record.natKind)) fail(`unknown NAT kind ${String(record.natKind)}`)
  if (!Array.isArray(record.addresses)) fail('addresses must be an array')
  if (record.addresses.length > RECORD_FIELD_LIMITS.addresses) fail(`more than ${RECORD_FIELD_LIMITS.addresses} addresses`)
  const addresses = record.addresses.map((address, i) => checkText(address, `address ${i}`, RECORD_FIELD_LIMITS.addressLengthBytes))
  const sequence = checkSafe(record.sequence, 'sequence')
  const issuedAtMs = checkSafe(record.issuedAtMs, 'issued-at')
  const expiresAtMs = checkSafe(record.expiresAtMs, 'expiry')
  if (expiresAtMs < issuedAtMs) fail('expires before it was issued')
  if (record.leaving !== undefined && typeof record.leaving !== 'boolean') fail('leaving must be a boolean')
  return {
    peerId,
    device: { preset, geometry: { rows, cols }, noiseLevel },
    tilesTotal,
    tilesFree,
    throughputGflopPerSecond,
    queueDepth,
    reachability: record.reachability,
    natKind: record.natKind,
    addresses,
    sequence,
    issuedAtMs,
    expiresAtMs,
    ...(record.leaving === true ? { leaving: true } : {})
  }
}

/** Protobuf body of a (checked) record. */
export function encodeCapacityRecordBody (record: CapacityRecord): Uint8Array<ArrayBuffer> {
  // The checked copy holds only the known fields; all but these three are the same in the protobuf body.
  const { device, reachability, natKind, ...sameFields } = checkCapacityRecord(record)
  return pb.CapacityRecordBody.encode({
    ...sameFields,
    device: { preset: device.preset, rows: device.geometry.rows, cols: device.geometry.cols, noiseLevel: device.noiseLevel },
    reachability: REACHABILITY_TO_PB[reachability],
    natKind: NAT_TO_PB[natKind],
    leaving: sameFields.leaving === true
  })
}

/**
 * Decodes and checks a record body (no signature involved).
 *
 * @throws {MalformedRecordError}
 */
export function decodeCapacityRecordBody (body: Uint8Array): CapacityRecord {
  let m: pb.CapacityRecordBody
  try {
    m = pb.CapacityRecordBody.decode(body, { limits: { addresses: RECORD_FIELD_LIMITS.addresses } })
  } catch (err) {
    throw new MalformedRecordError(`capacity record body does not decode: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  const { device, reachability, natKind, ...sameFields } = m
  if (device == null) fail('device missing')
  // The check keeps only the known fields of what it is given.
  return checkCapacityRecord({
    ...sameFields,
    device: { preset: device.preset, geometry: { rows: device.rows, cols: device.cols }, noiseLevel: device.noiseLevel },
    reachability: REACHABILITY_FROM_PB[reachability],
    natKind: NAT_FROM_PB[natKind]
  })
}

/** The bytes a capacity record signature covers: domain string, then body. */
export function capacityRecordSignedBytes (body: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(DOMAIN_BYTES.byteLength + body.byteLength)
  bytes.set(DOMAIN_BYTES, 0)
  bytes.set(body, DOMAIN_BYTES.byteLength)
  return bytes
}

/** A decoded envelope before its signature is checked. */
export interface CapacityRecordEnvelope {
  body: Uint8Array
  /** Empty when the peer id embeds the key. */
  publicKey: Uint8Array
  signature: Uint8Array
}

/**
 * Decodes the signed envelope only (size-checked; body not decoded).
 *
 * @throws {MalformedRecordError}
 */
export function decodeCapacityRecordEnvelope (bytes: Uint8Array): CapacityRecordEnvelope {
  if (!(bytes instanceof Uint8Array)) throw new MalformedRecordError('capacity record must be bytes')
  if (bytes.byteLength > MAX_CAPACITY_RECORD_SIZE_BYTES) {
    throw new MalformedRecordError(`capacity record of ${bytes.byteLength} bytes exceeds ${MAX_CAPACITY_RECORD_SIZE_BYTES}`)
  }
  try {
    const m = pb.SignedCapacityRecord.decode(bytes)
    return { body: m.body, publicKey: m.publicKey, signature: m.signature }
  } catch (err) {
    throw new MalformedRecordError(`signed capacity record does not decode: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
}

/** Embeds the public key only for peer ids that do not carry it (RSA); Ed25519 ids embed theirs. */
function embedsPublicKey (peerId: PeerId): boolean {
  return peerId.type === 'Ed25519' || peerId.type === 'secp256k1'
}

/**
 * Signs a record with the node's libp2p private key and returns the bytes to store in the DHT.
 *
 * @example
 * ```ts
 * const value = await signCapacityRecord({ peerId: node.peerId.toString(), ...fields }, privateKey)
 * await validator(capacityRecordKey(node.peerId), value)   // kad-dht does not validate your own put
 * await node.services.dht.put(capacityRecordKey(node.peerId), value)
 * ```
 * @throws {MalformedRecordError} an invalid field
 * @throws {InauthenticRecordError} `privateKey` is not the key of `record.peerId`
 * @throws {MalformedRecordError} the signed record exceeds MAX_CAPACITY_RECORD_SIZE_BYTES
 */
export async function signCapacityRecord (record: CapacityRecord, privateKey: PrivateKey): Promise<Uint8Array> {
  const body = encodeCapacityRecordBody(record)
  const signer = peerIdFromPrivateKey(privateKey)
  const recordPeer = parsePeerId(record.peerId)
  if (!signer.equals(recordPeer)) {
    throw new InauthenticRecordError(`record for ${record.peerId} cannot be signed by ${signer.toString()}`)
  }
  const signature = await privateKey.sign(capacityRecordSignedBytes(body))
  const bytes = pb.SignedCapacityRecord.encode({
    body,
    publicKey: embedsPublicKey(signer) ? new Uint8Array(0) : new Uint8Array(publicKeyToProtobuf(privateKey.publicKey)),
    signature: new Uint8Array(signature)
  })
  if (bytes.byteLength > MAX_CAPACITY_RECORD_SIZE_BYTES) {
    throw new MalformedRecordError(`signed capacity record of ${bytes.byteLength} bytes exceeds ${MAX_CAPACITY_RECORD_SIZE_BYTES}`)
  }
  return bytes
}

function signerKey (envelope: CapacityRecordEnvelope, peerId: PeerId): PublicKey {
  if (envelope.publicKey.byteLength > 0) {
    let key: PublicKey
    try {
      key = publicKeyFromProtobuf(envelope.publicKey)
    } catch (err) {
      throw new MalformedRecordError(`record public key does not decode: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    if (!peerIdFromPublicKey(key).equals(peerId)) {
      throw new InauthenticRecordError(`record for ${peerId.toString()} carries the key of ${peerIdFromPublicKey(key).toString()}`)
    }
    return key
  }
  if (peerId.publicKey == null) fail(`peer id ${peerId.toString()} embeds no public key and the record carries none`)
  return peerId.publicKey
}

/**
 * Decodes a signed record and verifies its signature against its own peer's key. Expiry is not checked here
 * (that needs a clock): the DHT validator does it, through `checkBeforeSignature`, which runs on the decoded body
 * before the signature is verified, so a record refused by a cheap check costs no verification.
 *
 * @throws {MalformedRecordError} too large, undecodable, or an invalid field
 * @throws {InauthenticRecordError} the carried public key is another peer's
 * @throws {InauthenticRecordError} the signature does not verify
 */
export async function openCapacityRecord (bytes: Uint8Array, checkBeforeSignature?: (unverified: CapacityRecord) => void): Promise<CapacityRecord> {
  const envelope = decodeCapacityRecordEnvelope(bytes)
  const record = decodeCapacityRecordBody(envelope.body)
  checkBeforeSignature?.(record)
  const key = signerKey(envelope, parsePeerId(record.peerId))
  let valid = false
  try {
    valid = await key.verify(capacityRecordSignedBytes(envelope.body), envelope.signature)
  } catch {
    valid = false
  }
  if (!valid) throw new InauthenticRecordError(`signature of the record for ${record.peerId} does not verify`)
  return record
}
