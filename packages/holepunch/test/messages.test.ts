import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { MAX_MESSAGE_SIZE_BYTES, MESSAGE_VERSION } from '../src/constants.js'
import { InvalidHolePunchMessageError } from '../src/errors.js'
import { decodeMessage, encodeMessage } from '../src/messages.js'
import type { HolePunchMessage, RejectReason } from '../src/messages.js'

const publicIp = fc.tuple(fc.integer({ min: 11, max: 99 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'))
const candidate = fc.record({ address: publicIp, port: fc.integer({ min: 1, max: 65535 }) }, { noNullPrototype: true })
const reasons: RejectReason[] = ['busy', 'unpredictable-mapping', 'observation-failed', 'no-observer', 'invalid-message']
const message: fc.Arbitrary<HolePunchMessage> = fc.oneof(
  fc.record({ type: fc.constant('connect' as const), candidate, attempt: fc.integer({ min: 1, max: 1000 }), elapsedMs: fc.integer({ min: 0, max: 60_000 }) }, { requiredKeys: ['type', 'candidate'], noNullPrototype: true }),
  fc.constant({ type: 'sync' as const }),
  fc.record({ type: fc.constant('reject' as const), reason: fc.constantFrom(...reasons), attempt: fc.integer({ min: 1, max: 1000 }) }, { requiredKeys: ['type', 'reason'], noNullPrototype: true })
)

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value))

describe('hole-punch messages', () => {
  it('round-trips every message type within the size limit', () => {
    fc.assert(fc.property(message, (m) => {
      const bytes = encodeMessage(m)
      assert.ok(bytes.byteLength <= MAX_MESSAGE_SIZE_BYTES)
      assert.deepEqual(decodeMessage(bytes), m)
    }), { seed: 5 })
  })

  it('rounds elapsedMs to whole non-negative milliseconds on the wire', () => {
    const decoded = decodeMessage(encodeMessage({ type: 'connect', candidate: { address: '41.0.0.1', port: 5 }, elapsedMs: 12.6 }))
    assert.equal(decoded.type === 'connect' ? decoded.elapsedMs : undefined, 13)
  })

  it('rejects bytes that are not a valid message with InvalidHolePunchMessageError', () => {
    const bad: Array<[string, Uint8Array]> = [
      ['empty', new Uint8Array(0)],
      ['not UTF-8', Uint8Array.of(0xff, 0xfe, 0x7b)],
      ['not JSON', new TextEncoder().encode('connect 41.0.0.1:5')],
      ['array', json([1, 2])],
      ['null', json(null)],
      ['no version', json({ type: 'sync' })],
      ['other version', json({ v: MESSAGE_VERSION + 1, type: 'sync' })],
      ['unknown type', json({ v: MESSAGE_VERSION, type: 'hello' })],
      ['connect without candidate', json({ v: MESSAGE_VERSION, type: 'connect' })],
      ['candidate not a string', json({ v: MESSAGE_VERSION, type: 'connect', candidate: { address: '41.0.0.1', port: 5 } })],
      ['private candidate', json({ v: MESSAGE_VERSION, type: 'connect', candidate: '192.168.1.2:4000' })],
      ['loopback candidate', json({ v: MESSAGE_VERSION, type: 'connect', candidate: '127.0.0.1:22' })],
      ['port 0', json({ v: MESSAGE_VERSION, type: 'connect', candidate: '41.0.0.1:0' })],
      ['negative elapsedMs', json({ v: MESSAGE_VERSION, type: 'connect', candidate: '41.0.0.1:5', elapsedMs: -1 })],
      ['string elapsedMs', json({ v: MESSAGE_VERSION, type: 'connect', candidate: '41.0.0.1:5', elapsedMs: '3' })],
      ['attempt 0', json({ v: MESSAGE_VERSION, type: 'connect', candidate: '41.0.0.1:5', attempt: 0 })],
      ['fractional attempt', json({ v: MESSAGE_VERSION, type: 'reject', reason: 'busy', attempt: 1.5 })],
      ['unknown reason', json({ v: MESSAGE_VERSION, type: 'reject', reason: 'because' })],
      ['oversize', json({ v: MESSAGE_VERSION, type: 'sync', pad: 'x'.repeat(MAX_MESSAGE_SIZE_BYTES) })]
    ]
    for (const [what, bytes] of bad) {
      assert.throws(() => decodeMessage(bytes), InvalidHolePunchMessageError, what)
    }
  })

  it('accepts a private candidate only when told to', () => {
    const bytes = json({ v: MESSAGE_VERSION, type: 'connect', candidate: '192.168.1.2:4000' })
    assert.deepEqual(decodeMessage(bytes, true), { type: 'connect', candidate: { address: '192.168.1.2', port: 4000 } })
  })

  it('never throws anything but InvalidHolePunchMessageError on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodeMessage(bytes)
      } catch (err) {
        assert.ok(err instanceof InvalidHolePunchMessageError, String(err))
      }
    }), { seed: 9 })
  })
})
