import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { formatCandidate, parseCandidate } from '../src/candidates.js'
import { InvalidCandidateError } from '../src/errors.js'

// Public unicast first octets: not 0, 10, 100 (100.64/10 is shared, avoid the whole /8), 127, 169, 172, 192, 198
// (benchmarking 198.18/15), 203 (TEST-NET-3) or ≥ 224.
const publicFirstOctet = fc.integer({ min: 1, max: 223 }).filter((o) => ![10, 100, 127, 169, 172, 192, 198, 203].includes(o))
const publicIp = fc.tuple(publicFirstOctet, fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((p) => p.join('.'))
const port = fc.integer({ min: 1, max: 65535 })

describe('hole-punch candidates', () => {
  it('round-trips any public IPv4 endpoint', () => {
    fc.assert(fc.property(publicIp, port, (address, p) => {
      assert.deepEqual(parseCandidate(formatCandidate({ address, port: p })), { address, port: p })
    }), { seed: 11 })
  })

  it('rejects addresses a remote peer must not point us at, unless private ones are allowed', () => {
    for (const text of ['127.0.0.1:4001', '10.1.2.3:80', '192.168.1.2:5000', '172.16.0.1:1', '169.254.1.1:9', '100.64.0.1:3']) {
      assert.throws(() => parseCandidate(text), InvalidCandidateError, text)
    }
    assert.deepEqual(parseCandidate('192.168.1.2:5000', true), { address: '192.168.1.2', port: 5000 })
    for (const text of ['0.0.0.0:80', '224.0.0.1:80', '255.255.255.255:80', '239.1.1.1:5']) {
      assert.throws(() => parseCandidate(text, true), InvalidCandidateError, text)
    }
  })

  it('rejects malformed text and ports outside 1–65535', () => {
    for (const text of ['', '41.0.0.1', '41.0.0.1:', '41.0.0.1:0', '41.0.0.1:65536', '41.0.0.1:99999', '256.0.0.1:80', '41.0.0.01:80', 'a.b.c.d:80', ' 41.0.0.1:80', '41.0.0.1:80\n', '[::1]:80', '41.0.0.1:-1']) {
      assert.throws(() => parseCandidate(text), InvalidCandidateError, JSON.stringify(text))
    }
    assert.throws(() => parseCandidate(42 as unknown as string), InvalidCandidateError)
  })
})
