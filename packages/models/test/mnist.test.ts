import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { MnistDataError, loadMnist, sliceDataset } from '../src/index.js'

describe('loadMnist', () => {
  const { train, heldOut } = loadMnist()

  it('splits the 10,000 digits 8,000 / 2,000', () => {
    assert.equal(train.count, 8000)
    assert.equal(heldOut.count, 2000)
    assert.equal(train.images.length, 8000 * 784)
    assert.equal(heldOut.labels.length, 2000)
  })

  it('holds out every class in proportion to its size', () => {
    const count = (labels: Uint8Array, digit: number): number => labels.reduce((n, l) => n + (l === digit ? 1 : 0), 0)
    for (let digit = 0; digit < 10; digit++) {
      const total = count(train.labels, digit) + count(heldOut.labels, digit)
      // Every fifth global index is held out, so a class of n consecutive digits loses ⌊n/5⌋ or ⌈n/5⌉.
      const held = count(heldOut.labels, digit)
      assert.ok(held >= Math.floor(total / 5) && held <= Math.ceil(total / 5), `digit ${digit}: ${held} of ${total}`)
    }
  })

  it('keeps pixels in [0, 1] with real content (about a fifth of them lit)', () => {
    let lit = 0
    for (const v of heldOut.images) {
      assert.ok(v >= 0 && v <= 1)
      if (v > 0) lit++
    }
    const fraction = lit / heldOut.images.length
    assert.ok(fraction > 0.1 && fraction < 0.3, `lit fraction ${fraction}`)
  })

  it('is deterministic: a fresh read with the same stride gives the same arrays', () => {
    const again = loadMnist({ holdoutStride: 5, digitsDir: undefined })
    assert.deepEqual(again.heldOut.labels, heldOut.labels)
    assert.deepEqual(again.train.images.subarray(0, 784 * 50), train.images.subarray(0, 784 * 50))
  })

  it('honours another stride', () => {
    const { train: t10, heldOut: h10 } = loadMnist({ holdoutStride: 10 })
    assert.equal(h10.count, 1000)
    assert.equal(t10.count, 9000)
  })

  it('rejects a missing or malformed digits directory with MnistDataError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-mnist-'))
    try {
      assert.throws(() => loadMnist({ digitsDir: dir }), MnistDataError)
      for (let d = 0; d < 10; d++) await writeFile(join(dir, `${d}.json`), JSON.stringify({ data: [0, 1, 0.5] }))
      assert.throws(() => loadMnist({ digitsDir: dir }), MnistDataError)
      assert.throws(() => loadMnist({ holdoutStride: 1 }), MnistDataError)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})

describe('sliceDataset', () => {
  it('returns a view of the requested images and rejects ranges outside the set', () => {
    const { heldOut } = loadMnist()
    const part = sliceDataset(heldOut, 10, 5)
    assert.equal(part.count, 5)
    assert.deepEqual(part.labels, heldOut.labels.subarray(10, 15))
    assert.equal(part.images[0], heldOut.images[10 * 784])
    assert.throws(() => sliceDataset(heldOut, 1999, 2), MnistDataError)
  })
})
