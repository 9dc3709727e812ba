/**
 * float32 tensors as bytes. The wire format is little-endian whatever the host's byte order; on little-endian
 * hosts (all the ones Node ships for) the conversion is a single memory copy.
 */
import { NonFiniteValueError, ShapeMismatchError } from './errors.js'

/** Whether this host stores numbers little-endian (the wire order), so float32 bytes can be viewed in place. */
export const HOST_IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/** Bytes per float32 value. */
export const FLOAT32_BYTES = 4

/** Copies `values` into a new byte array, float32 little-endian. */
export function float32ToBytes (values: Float32Array): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(values.length * FLOAT32_BYTES)
  if (HOST_IS_LITTLE_ENDIAN) {
    bytes.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
  } else {
    const view = new DataView(bytes.buffer)
    for (let i = 0; i < values.length; i++) view.setFloat32(i * FLOAT32_BYTES, values[i], true)
  }
  return bytes
}

/**
 * The bytes of `values` in wire order without copying where the host is little-endian (a copy otherwise, or when
 * the values live in shared memory). For encoding only: the view aliases `values`.
 */
export function float32BytesView (values: Float32Array): Uint8Array<ArrayBuffer> {
  if (HOST_IS_LITTLE_ENDIAN && values.buffer instanceof ArrayBuffer) {
    return new Uint8Array(values.buffer, values.byteOffset, values.byteLength)
  }
  return float32ToBytes(values)
}

/**
 * Reads float32 little-endian bytes into `out` (allocated when omitted). The bytes may sit at any offset (a
 * decoded protobuf field usually does), which is why they are copied rather than viewed.
 *
 * @throws {ShapeMismatchError} when the byte length is not a multiple of 4 or does not fill `out` exactly
 */
export function bytesToFloat32 (bytes: Uint8Array, out?: Float32Array): Float32Array {
  if (bytes.byteLength % FLOAT32_BYTES !== 0) {
    throw new ShapeMismatchError(`byte length ${bytes.byteLength} is not a multiple of ${FLOAT32_BYTES}`)
  }
  const length = bytes.byteLength / FLOAT32_BYTES
  const target = out ?? new Float32Array(length)
  if (target.length !== length) {
    throw new ShapeMismatchError(`${length} float32 values do not fill an output of length ${target.length}`)
  }
  if (HOST_IS_LITTLE_ENDIAN) {
    new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(bytes)
  } else {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    for (let i = 0; i < length; i++) target[i] = view.getFloat32(i * FLOAT32_BYTES, true)
  }
  return target
}

/** Index of the first NaN or ±Infinity in `values`, or -1 when all are finite. */
export function firstNonFiniteIndex (values: Float32Array): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    // v - v is NaN exactly for NaN and ±Infinity, and avoids a function call per element.
    if (v - v !== 0) return i
  }
  return -1
}

/**
 * @throws {NonFiniteValueError} naming `what` and the first offending index when a value is NaN or ±Infinity
 */
export function assertFinite (values: Float32Array, what = 'value'): void {
  const index = firstNonFiniteIndex(values)
  if (index !== -1) throw new NonFiniteValueError(`${what}[${index}] is ${values[index]}`)
}
