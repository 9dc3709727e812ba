/**
 * Field checks shared by the message codecs: each returns the checked value or throws the named error that
 * becomes the reply's code.
 */
import {
  MAX_BATCH, MAX_BLOCK_DIMENSION, MAX_DEVICE_PRESET_LENGTH_BYTES, MAX_NOISE_KEY_TEXT_LENGTH_BYTES, MAX_SEED_TEXT_LENGTH_BYTES,
  MAX_SHARD_ID_LENGTH_BYTES, MAX_TENSOR_SIZE_BYTES, SHA256_LENGTH_BYTES
} from './constants.js'
import { BatchTooLargeError, MalformedMessageError, ShapeMismatchError } from './errors.js'
import { FLOAT32_BYTES } from './float32.js'

const encoder = new TextEncoder()
const UINT32_MAX = 0xffffffff

function utf8LongerThan (text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return true
  // A UTF-16 code unit is at most 3 UTF-8 bytes, so short strings need no encoding.
  return text.length * 3 > maxBytes && encoder.encode(text).byteLength > maxBytes
}

export function checkText (text: unknown, what: string, maxBytes: number, allowEmpty: boolean): string {
  if (typeof text !== 'string') throw new MalformedMessageError(`${what} must be a string`)
  if (!allowEmpty && text.length === 0) throw new MalformedMessageError(`${what} is empty`)
  // A lone surrogate would be replaced during UTF-8 encoding, so the peer would see a different id.
  if (!text.isWellFormed()) throw new MalformedMessageError(`${what} is not well-formed Unicode`)
  if (utf8LongerThan(text, maxBytes)) {
    throw new MalformedMessageError(`${what} is longer than ${maxBytes} bytes`)
  }
  return text
}

/** A non-empty shard id of at most {@link MAX_SHARD_ID_LENGTH_BYTES} UTF-8 bytes. */
export function checkShardId (shardId: unknown): string {
  return checkText(shardId, 'shard id', MAX_SHARD_ID_LENGTH_BYTES, false)
}

/** A device preset name (empty allowed: "any device"). */
export function checkDevicePreset (preset: unknown): string {
  return checkText(preset, 'device preset', MAX_DEVICE_PRESET_LENGTH_BYTES, true)
}

/** A crossbar seed: a finite number or a bounded string. */
export function checkSeed (seed: unknown): number | string {
  if (typeof seed === 'number') {
    if (!Number.isFinite(seed)) throw new MalformedMessageError('seed must be finite')
    return seed
  }
  if (typeof seed === 'string') return checkText(seed, 'seed', MAX_SEED_TEXT_LENGTH_BYTES, true)
  throw new MalformedMessageError('seed is missing')
}

/** An execute's noise key, when present: a finite number or a bounded string. */
export function checkNoiseKey (key: unknown): number | string | undefined {
  if (key === undefined) return undefined
  if (typeof key === 'number') {
    if (!Number.isFinite(key)) throw new MalformedMessageError('noise key must be finite')
    return key
  }
  if (typeof key === 'string') return checkText(key, 'noise key', MAX_NOISE_KEY_TEXT_LENGTH_BYTES, true)
  throw new MalformedMessageError('noise key must be a number or a string')
}

/** An integer representable as protobuf uint32. */
export function checkUint32 (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > UINT32_MAX) {
    throw new MalformedMessageError(`${what} must be an integer in [0, ${UINT32_MAX}]`)
  }
  return value
}

/** A finite, non-negative number (costs, latencies). */
export function checkNonNegative (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new MalformedMessageError(`${what} must be finite and non-negative`)
  }
  return value
}

/** A non-negative safe integer (ms timestamps, sequence numbers). */
export function checkSafeInteger (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new MalformedMessageError(`${what} must be a non-negative safe integer`)
  }
  return value
}

/** Optional time since programming: absent, or finite and positive. */
export function checkTSeconds (tSeconds: unknown): number | undefined {
  if (tSeconds === undefined) return undefined
  if (typeof tSeconds !== 'number' || !Number.isFinite(tSeconds) || tSeconds <= 0) {
    throw new MalformedMessageError('tSeconds must be finite and positive')
  }
  return tSeconds
}

/** A block dimension in [1, {@link MAX_BLOCK_DIMENSION}]. */
export function checkDimension (value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_BLOCK_DIMENSION) {
    throw new ShapeMismatchError(`${what} must be an integer in [1, ${MAX_BLOCK_DIMENSION}], got ${String(value)}`)
  }
  return value
}

/** A SHA-256 digest. */
export function checkSha256 (digest: unknown, what = 'content hash'): Uint8Array {
  if (!(digest instanceof Uint8Array) || digest.byteLength !== SHA256_LENGTH_BYTES) {
    throw new MalformedMessageError(`${what} must be ${SHA256_LENGTH_BYTES} bytes`)
  }
  return digest
}

/** The largest batch a block of `rows × cols` can execute in one request (input and output within one frame). */
export function maxBatchFor (rows: number, cols: number): number {
  const widest = Math.max(rows, cols, 1)
  return Math.max(0, Math.min(MAX_BATCH, Math.floor(MAX_TENSOR_SIZE_BYTES / (widest * FLOAT32_BYTES))))
}

/**
 * Checks a batch against the batch limit and, when `cols` is known (on the serving node), that the output will
 * fit in one frame too.
 *
 * @throws {BatchTooLargeError} over {@link MAX_BATCH} or over the tensor size limit
 * @throws {MalformedMessageError} for a zero or non-integer batch
 */
export function checkBatch (batch: unknown, rows: number, cols?: number): number {
  if (typeof batch !== 'number' || !Number.isInteger(batch) || batch < 1) {
    throw new MalformedMessageError(`batch must be a positive integer, got ${String(batch)}`)
  }
  if (batch > MAX_BATCH) throw new BatchTooLargeError(`batch ${batch} exceeds ${MAX_BATCH}`)
  const widest = Math.max(rows, cols ?? 0)
  if (batch * widest * FLOAT32_BYTES > MAX_TENSOR_SIZE_BYTES) {
    throw new BatchTooLargeError(`batch ${batch} × ${widest} float32 exceeds ${MAX_TENSOR_SIZE_BYTES} bytes`)
  }
  return batch
}

/**
 * @throws {ShapeMismatchError} when `bytes` does not hold exactly `count` float32 values
 */
export function checkTensorBytes (bytes: Uint8Array, count: number, what: string): void {
  if (bytes.byteLength !== count * FLOAT32_BYTES) {
    throw new ShapeMismatchError(`${what} has ${bytes.byteLength} bytes, shape needs ${count * FLOAT32_BYTES}`)
  }
}
