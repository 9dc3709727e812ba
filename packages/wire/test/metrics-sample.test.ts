import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { MAX_FRAME_SIZE_BYTES } from '../src/constants.js'
import { FrameTooLargeError, MalformedMessageError, WireError } from '../src/errors.js'
import { decodeMetricsSample, encodeMetricsSample } from '../src/metrics-sample.js'
import type { MetricsSample } from '../src/metrics-sample.js'
import * as pb from '../src/pb/metrics.js'

const sample: MetricsSample = {
  queueDepth: 3, inFlight: 2, mvmLatencyP50Ms: 0.75, tilesFree: 10, tilesTotal: 64, sampledAtMs: 1_795_000_000_123, windowMs: 10_000, executesInWindow: 420
}

describe('metrics samples', () => {
  it('round-trip, including a millisecond timestamp beyond 32 bits', () => {
    assert.deepEqual(decodeMetricsSample(encodeMetricsSample(sample)), sample)
  })

  it('reject invalid values on encode and decode', () => {
    assert.throws(() => encodeMetricsSample({ ...sample, mvmLatencyP50Ms: -1 }), MalformedMessageError)
    assert.throws(() => encodeMetricsSample({ ...sample, queueDepth: 1.5 }), MalformedMessageError)
    assert.throws(() => encodeMetricsSample({ ...sample, sampledAtMs: 2 ** 60 }), MalformedMessageError)
    assert.throws(() => decodeMetricsSample(pb.MetricsSample.encode({ ...sample, tilesFree: 65 })), MalformedMessageError)
    assert.throws(() => decodeMetricsSample(pb.MetricsSample.encode({ ...sample, mvmLatencyP50Ms: Number.NaN })), MalformedMessageError)
  })

  it('reject oversized frames', () => {
    assert.throws(() => decodeMetricsSample(new Uint8Array(MAX_FRAME_SIZE_BYTES + 1)), FrameTooLargeError)
  })

  it('random bytes decode or throw a typed error (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 128 }), (bytes) => {
      try {
        decodeMetricsSample(bytes)
      } catch (err) {
        return err instanceof WireError
      }
      return true
    }), { seed: 9, numRuns: 5000 })
  })
})
