/**
 * STUN binding messages (RFC 5389): just enough for a binding request and its XOR-MAPPED-ADDRESS answer over
 * IPv4, which is what the lab's STUN check and the fallback responder need.
 */

export const STUN_MAGIC_COOKIE = 0x2112a442
export const BINDING_REQUEST = 0x0001
export const BINDING_SUCCESS = 0x0101
export const ATTR_MAPPED_ADDRESS = 0x0001
export const ATTR_XOR_MAPPED_ADDRESS = 0x0020
const HEADER_BYTES = 20
const FAMILY_IPV4 = 0x01

/** A binding request with the given 12-byte transaction id and no attributes. */
export function encodeBindingRequest (transactionId: Uint8Array): Buffer {
  if (transactionId.length !== 12) throw new RangeError('a STUN transaction id has 12 bytes')
  const message = Buffer.alloc(HEADER_BYTES)
  message.writeUInt16BE(BINDING_REQUEST, 0)
  message.writeUInt16BE(0, 2)
  message.writeUInt32BE(STUN_MAGIC_COOKIE, 4)
  message.set(transactionId, 8)
  return message
}

/** The transaction id of a well-formed binding request, or undefined for anything else. */
export function parseBindingRequest (message: Uint8Array): Uint8Array | undefined {
  const buf = Buffer.from(message.buffer, message.byteOffset, message.byteLength)
  if (buf.length < HEADER_BYTES || buf.readUInt16BE(0) !== BINDING_REQUEST) return undefined
  if (buf.readUInt32BE(4) !== STUN_MAGIC_COOKIE || buf.readUInt16BE(2) !== buf.length - HEADER_BYTES) return undefined
  return buf.subarray(8, 20)
}

function ipv4ToUint32 (address: string): number {
  const parts = address.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new RangeError(`not an IPv4 address: ${address}`)
  }
  return ((parts[0] << 24) | (parts[1] << 16) | (parts[2] << 8) | parts[3]) >>> 0
}

function uint32ToIpv4 (value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.')
}

/** A binding success response carrying XOR-MAPPED-ADDRESS = address:port. */
export function encodeBindingSuccess (transactionId: Uint8Array, address: string, port: number): Buffer {
  const message = Buffer.alloc(HEADER_BYTES + 12)
  message.writeUInt16BE(BINDING_SUCCESS, 0)
  message.writeUInt16BE(12, 2)
  message.writeUInt32BE(STUN_MAGIC_COOKIE, 4)
  message.set(transactionId, 8)
  message.writeUInt16BE(ATTR_XOR_MAPPED_ADDRESS, 20)
  message.writeUInt16BE(8, 22)
  message.writeUInt8(0, 24)
  message.writeUInt8(FAMILY_IPV4, 25)
  message.writeUInt16BE((port ^ (STUN_MAGIC_COOKIE >>> 16)) & 0xffff, 26)
  message.writeUInt32BE((ipv4ToUint32(address) ^ STUN_MAGIC_COOKIE) >>> 0, 28)
  return message
}

/**
 * The mapped IPv4 address of a binding success response to `transactionId` (XOR-MAPPED-ADDRESS, or the legacy
 * MAPPED-ADDRESS), or undefined when the message is something else.
 */
export function parseBindingSuccess (message: Uint8Array, transactionId: Uint8Array): { address: string, port: number } | undefined {
  const buf = Buffer.from(message.buffer, message.byteOffset, message.byteLength)
  if (buf.length < HEADER_BYTES || buf.readUInt16BE(0) !== BINDING_SUCCESS || buf.readUInt32BE(4) !== STUN_MAGIC_COOKIE) return undefined
  if (!buf.subarray(8, 20).equals(Buffer.from(transactionId))) return undefined
  const end = Math.min(buf.length, HEADER_BYTES + buf.readUInt16BE(2))
  let legacy: { address: string, port: number } | undefined
  for (let offset = HEADER_BYTES; offset + 4 <= end;) {
    const type = buf.readUInt16BE(offset)
    const length = buf.readUInt16BE(offset + 2)
    const value = offset + 4
    if (value + length > end) break
    if ((type === ATTR_XOR_MAPPED_ADDRESS || type === ATTR_MAPPED_ADDRESS) && length >= 8 && buf.readUInt8(value + 1) === FAMILY_IPV4) {
      const port = buf.readUInt16BE(value + 2)
      const address = buf.readUInt32BE(value + 4)
      if (type === ATTR_XOR_MAPPED_ADDRESS) {
        return { address: uint32ToIpv4((address ^ STUN_MAGIC_COOKIE) >>> 0), port: (port ^ (STUN_MAGIC_COOKIE >>> 16)) & 0xffff }
      }
      legacy = { address: uint32ToIpv4(address), port }
    }
    offset = value + Math.ceil(length / 4) * 4
  }
  return legacy
}

/** A transaction id derived from the probe's local port and attempt number: unique per request in one lab. */
export function transactionIdFor (localPort: number, attempt: number, pid: number): Uint8Array {
  const id = Buffer.alloc(12)
  id.writeUInt32BE(pid >>> 0, 0)
  id.writeUInt32BE(localPort >>> 0, 4)
  id.writeUInt32BE(attempt >>> 0, 8)
  return id
}
