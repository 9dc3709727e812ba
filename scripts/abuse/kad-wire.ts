/**
 * One kad-dht request straight to one peer, over tessera's DHT protocol: a PUT_VALUE that reaches the target
 * whatever the sender's own datastore thinks of the record (kad-dht's `put` stores locally first, and a node's own
 * store refuses the very records an attacker wants to send), and a GET_VALUE that reads what the target holds.
 * The kad message is three fields (type, key, record), encoded here by hand rather than through kad-dht's internal
 * codec, which its package does not export.
 */
import { Libp2pRecord } from '@libp2p/record'
import { lpStream } from '@libp2p/utils'
import { DHT_PROTOCOL } from '@tessera/peer'
import type { Libp2p, Stream } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** kad-dht's MessageType numbers. */
const PUT_VALUE = 0
const GET_VALUE = 1
/** Field numbers of kad-dht's Message. */
const FIELD_TYPE = 1
const FIELD_KEY = 2
const FIELD_RECORD = 3
const MAX_KAD_MESSAGE_BYTES = 4 * 1024 * 1024

function varint (n: number): number[] {
  const out: number[] = []
  while (n >= 0x80) {
    out.push((n % 0x80) | 0x80)
    n = Math.floor(n / 0x80)
  }
  out.push(n)
  return out
}

function encodeMessage (type: number, key: Uint8Array, record?: Uint8Array): Uint8Array {
  const bytes: number[] = [(FIELD_TYPE << 3) | 0, ...varint(type), (FIELD_KEY << 3) | 2, ...varint(key.byteLength), ...key]
  if (record !== undefined) bytes.push((FIELD_RECORD << 3) | 2, ...varint(record.byteLength), ...record)
  return Uint8Array.from(bytes)
}

/** The record field of a kad message, or undefined (fields it does not need are skipped by wire type). */
function recordField (msg: Uint8Array): Uint8Array | undefined {
  let i = 0
  const readVarint = (): number => {
    let value = 0
    for (let scale = 1; i < msg.length; scale *= 128) {
      const b = msg[i++]
      value += (b & 0x7f) * scale
      if ((b & 0x80) === 0) return value
    }
    throw new Error('truncated varint in a kad message')
  }
  while (i < msg.length) {
    const tag = readVarint()
    const wireType = tag & 7
    if (wireType === 0) readVarint()
    else if (wireType === 2) {
      const length = readVarint()
      if ((tag >> 3) === FIELD_RECORD) return msg.subarray(i, i + length)
      i += length
    } else if (wireType === 5) i += 4
    else if (wireType === 1) i += 8
    else throw new Error(`wire type ${wireType} in a kad message`)
  }
  return undefined
}

async function exchange (node: Libp2p, target: Multiaddr, request: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
  let stream: Stream | undefined
  try {
    stream = await node.dialProtocol(target, DHT_PROTOCOL, { signal })
    const lp = lpStream(stream, { maxDataLength: MAX_KAD_MESSAGE_BYTES })
    await lp.write(request, { signal })
    const reply = (await lp.read({ signal })).subarray()
    await stream.close({ signal })
    return reply
  } catch (err) {
    stream?.abort(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

/** Sends one PUT_VALUE of `value` under `key` to `target`; true when it acknowledged (stored) it. */
export async function putValueTo (node: Libp2p, target: Multiaddr, key: Uint8Array, value: Uint8Array, signal: AbortSignal): Promise<boolean> {
  const record = new Libp2pRecord(key, value, new Date()).serialize()
  // kad-dht answers an accepted put with the request itself; a refused one ends the stream without a reply.
  return await exchange(node, target, encodeMessage(PUT_VALUE, key, record), signal).then(() => true, () => false)
}

/** Asks `target` for its record under `key` (GET_VALUE); the record's value, or undefined when it holds none. */
export async function getValueFrom (node: Libp2p, target: Multiaddr, key: Uint8Array, signal: AbortSignal): Promise<Uint8Array | undefined> {
  const record = recordField(await exchange(node, target, encodeMessage(GET_VALUE, key), signal))
  return record === undefined ? undefined : Libp2pRecord.deserialize(record).value
}
