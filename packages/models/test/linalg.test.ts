import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import fc from 'fast-check'
import { argmax, denseBackwardInput, denseBackwardWeights, denseForward, reluInPlace } from '../src/linalg.js'

function randomArray (n: number, seed: string, zeroFraction = 0): Float32Array {
  const rng = createRng(seed)
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) a[i] = rng.nextFloat() < zeroFraction ? 0 : rng.nextNormal()
  return a
}

/** Naive float64 reference of y = x·W + b. */
function naiveForward (x: Float32Array, batch: number, inputs: number, w: Float32Array, bias: Float32Array, outputs: number): Float64Array {
  const y = new Float64Array(batch * outputs)
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outputs; o++) {
      let s = bias[o]
      for (let i = 0; i < inputs; i++) s += x[b * inputs + i] * w[i * outputs + o]
      y[b * outputs + o] = s
    }
  }
  return y
}

describe('denseForward', () => {
  it('matches a naive float64 product to float32 rounding, zeros in the input included', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 13 }), fc.integer(),
      (batch, inputs, outputs, seed) => {
        const x = randomArray(batch * inputs, `x${seed}`, 0.5)
        const w = randomArray(inputs * outputs, `w${seed}`)
        const bias = randomArray(outputs, `b${seed}`)
        const y = new Float32Array(batch * outputs)
        denseForward(x, batch, inputs, w, bias, outputs, y, new Float64Array(outputs))
        const expected = naiveForward(x, batch, inputs, w, bias, outputs)
        for (let k = 0; k < y.length; k++) assert.equal(y[k], Math.fround(expected[k]))
      }), { numRuns: 60 })
  })
})

describe('backward passes', () => {
  it('give the gradient of a loss, checked by central finite differences', () => {
    // Loss L = Σ c ⊙ relu-layer output of a 2-layer net; compare analytic gradients with numerical ones in float64.
    const batch = 3; const inputs = 6; const hidden = 5; const outputs = 4
    const x = randomArray(batch * inputs, 'gx', 0.3)
    const w1 = randomArray(inputs * hidden, 'gw1')
    const b1 = randomArray(hidden, 'gb1')
    const w2 = randomArray(hidden * outputs, 'gw2')
    const b2 = randomArray(outputs, 'gb2')
    const c = randomArray(batch * outputs, 'gc')
    const loss = (w1v: Float32Array, w2v: Float32Array): number => {
      const h = naiveForward(x, batch, inputs, w1v, b1, hidden).map((v) => Math.max(v, 0))
      let s = 0
      for (let b = 0; b < batch; b++) {
        for (let o = 0; o < outputs; o++) {
          let y = b2[o]
          for (let j = 0; j < hidden; j++) y += h[b * hidden + j] * w2v[j * outputs + o]
          s += c[b * outputs + o] * y
        }
      }
      return s
    }
    const acc = new Float64Array(8)
    const h = new Float32Array(batch * hidden)
    denseForward(x, batch, inputs, w1, b1, hidden, h, acc)
    reluInPlace(h, h.length)
    const dW2 = new Float32Array(w2.length); const dB2 = new Float32Array(outputs)
    denseBackwardWeights(h, batch, hidden, c, outputs, dW2, dB2, acc)
    const dH = new Float32Array(batch * hidden)
    denseBackwardInput(c, batch, outputs, w2, hidden, h, dH)
    const dW1 = new Float32Array(w1.length); const dB1 = new Float32Array(hidden)
    denseBackwardWeights(x, batch, inputs, dH, hidden, dW1, dB1, acc)

    const eps = 1e-2
    const check = (params: Float32Array, grad: Float32Array, which: 1 | 2): void => {
      for (let k = 0; k < params.length; k++) {
        const original = params[k]
        params[k] = original + eps
        const up = which === 1 ? loss(params, w2) : loss(w1, params)
        params[k] = original - eps
        const down = which === 1 ? loss(params, w2) : loss(w1, params)
        params[k] = original
        const numeric = (up - down) / (2 * eps)
        // The loss is piecewise linear in each weight, so the difference is exact unless a ReLU flips inside ±eps.
        assert.ok(Math.abs(numeric - grad[k]) < 1e-3 * Math.max(1, Math.abs(numeric)), `w${which}[${k}]: ${grad[k]} vs ${numeric}`)
      }
    }
    check(w2, dW2, 2)
    check(w1, dW1, 1)
    for (let o = 0; o < outputs; o++) assert.ok(Math.abs(dB2[o] - c.filter((_, k) => k % outputs === o).reduce((s, v) => s + v, 0)) < 1e-5)
  })
})

describe('argmax', () => {
  it('returns the first maximum', () => {
    assert.equal(argmax(Float32Array.from([1, 3, 2, 3]), 0, 4), 1)
    assert.equal(argmax(Float32Array.from([9, 1, 3, 2]), 1, 3), 1)
  })
})
