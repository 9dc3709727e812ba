import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { NonFiniteValueError, ShapeMismatchError } from '../src/errors.js'
import { assertFinite, bytesToFloat32, firstNonFiniteIndex, float32BytesView, float32ToBytes } from '../src/float32.js'

describe('float32ToBytes / bytesToFloat32', () => {
  it('writes IEEE 754 single precision little-endian', () => {
    // 1.0f = 0x3f800000, -2.5f = 0xc0200000: least significant byte first.
    const bytes = float32ToBytes(new Float32Array([1, -2.5]))
    assert.deepEqual([...bytes], [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0])
  })

  it('agrees with DataView little-endian reads for arbitrary values', () => {
    fc.assert(fc.property(fc.float32Array({ maxLength: 64 }), (values) => {
      const bytes = float32ToBytes(values)
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      for (let i = 0; i < values.length; i++) {
        assert.ok(Object.is(view.getFloat32(i * 4, true), values[i]))
      }
    }), { seed: 1, numRuns: 200 })
  })

  it('round-trips bit for bit, including from unaligned offsets', () => {
    fc.assert(fc.property(fc.float32Array({ maxLength: 64 }), fc.integer({ min: 0, max: 7 }), (values, offset) => {
      const bytes = float32ToBytes(values)
      const shifted = new Uint8Array(bytes.byteLength + offset)
      shifted.set(bytes, offset)
      const back = bytesToFloat32(shifted.subarray(offset))
      assert.equal(back.length, values.length)
      assert.deepEqual(new Uint8Array(back.buffer), new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    }), { seed: 2, numRuns: 200 })
  })

  it('copies instead of aliasing the input', () => {
    const values = new Float32Array([1, 2])
    const bytes = float32ToBytes(values)
    values[0] = 5
    assert.equal(bytesToFloat32(bytes)[0], 1)
  })

  it('float32BytesView gives the same bytes as float32ToBytes', () => {
    const values = new Float32Array([1.5, -0, 3e-39, 7])
    assert.deepEqual(float32BytesView(values.subarray(1)), float32ToBytes(values.subarray(1)))
  })

  it('fills a caller-provided output', () => {
    const out = new Float32Array(2)
    const back = bytesToFloat32(float32ToBytes(new Float32Array([3, 4])), out)
    assert.equal(back, out)
    assert.deepEqual([...out], [3, 4])
  })

  it('rejects byte lengths that are not a multiple of 4', () => {
    assert.throws(() => bytesToFloat32(new Uint8Array(7)), ShapeMismatchError)
  })

  it('rejects an output of the wrong length', () => {
    assert.throws(() => bytesToFloat32(new Uint8Array(8), new Float32Array(3)), ShapeMismatchError)
  })
})

describe('assertFinite', () => {
  it('finds the first NaN or infinity', () => {
    assert.equal(firstNonFiniteIndex(new Float32Array([0, -0, 3.4e38, -1e-45])), -1)
    assert.equal(firstNonFiniteIndex(new Float32Array([0, Number.NaN, Infinity])), 1)
    assert.equal(firstNonFiniteIndex(new Float32Array([0, 1, -Infinity])), 2)
  })

  it('throws NonFiniteValueError naming the index', () => {
    assert.throws(() => assertFinite(new Float32Array([1, Infinity]), 'weights'), (err: unknown) => {
      assert.ok(err instanceof NonFiniteValueError)
      assert.match(err.message, /weights\[1\]/)
      return true
    })
  })
})
