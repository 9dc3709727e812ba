import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { crc32 } from 'node:zlib'
import { NonFiniteValueError } from '@tessera/crossbar'
import {
  InvalidModelFileError, datasetFingerprint, decodeModel, encodeModel, loadMnist, loadModel, modelCacheKey,
  resolveHyperparameters, saveModel, sliceDataset, trainMlp
} from '../src/index.js'
import type { ModelRecord } from '../src/index.js'
import { bytesOf } from './fixtures.js'

const { train } = loadMnist()
const data = sliceDataset(train, 0, 500)
const trained = trainMlp(data, { layerSizes: [784, 16, 10], epochs: 1, seed: 3 })
const record: ModelRecord = { ...trained, datasetFingerprint: datasetFingerprint(data) }
const expected = { hyperparameters: record.hyperparameters, seed: 3, datasetFingerprint: record.datasetFingerprint }

/** Rewrites the JSON header of an encoded file (keeping the payload), so a test can plant a specific fault. */
function withHeader (file: Uint8Array, edit: (header: Record<string, unknown>, payload: Uint8Array) => void): Uint8Array {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength)
  const length = view.getUint32(12, true)
  const header: Record<string, unknown> = JSON.parse(new TextDecoder().decode(file.subarray(16, 16 + length)))
  const payload = file.slice(16 + length)
  edit(header, payload)
  const headerBytes = new TextEncoder().encode(JSON.stringify(header))
  const out = new Uint8Array(16 + headerBytes.length + payload.length)
  out.set(file.subarray(0, 16))
  new DataView(out.buffer).setUint32(12, headerBytes.length, true)
  out.set(headerBytes, 16)
  out.set(payload, 16 + headerBytes.length)
  return out
}

describe('model file', () => {
  it('round-trips a model bitwise with its provenance', () => {
    const decoded = decodeModel(encodeModel(record), expected)
    decoded.model.layers.forEach((layer, l) => {
      assert.deepEqual(bytesOf(layer.weights), bytesOf(record.model.layers[l].weights))
      assert.deepEqual(bytesOf(layer.bias), bytesOf(record.model.layers[l].bias))
    })
    assert.deepEqual(decoded.hyperparameters, record.hyperparameters)
    assert.equal(decoded.seed, 3)
    assert.deepEqual(decoded.epochLosses, record.epochLosses)
  })

  it('detects corruption: magic, version, truncation, a flipped payload byte, a broken header', () => {
    const file = encodeModel(record)
    const badMagic = file.slice(); badMagic[0] ^= 0xff
    const badVersion = file.slice(); new DataView(badVersion.buffer).setUint32(8, 99, true)
    const flipped = file.slice(); flipped[flipped.length - 100] ^= 0x01
    const hugeHeader = file.slice(); new DataView(hugeHeader.buffer).setUint32(12, 1 << 30, true)
    const brokenJson = file.slice(); brokenJson[16] = 0x7b + 1
    for (const [name, bytes] of Object.entries({ badMagic, badVersion, truncated: file.subarray(0, file.length - 4), short: file.subarray(0, 10), flipped, hugeHeader, brokenJson })) {
      assert.throws(() => decodeModel(bytes), InvalidModelFileError, name)
    }
  })

  it('rejects a header whose key does not match its own contents', () => {
    const forged = withHeader(encodeModel(record), (header) => { header.seed = 4 })
    assert.throws(() => decodeModel(forged), InvalidModelFileError)
  })

  it('rejects NaN weights with NonFiniteValueError, on write and on read (even with a valid checksum)', () => {
    const nanWeights = Float32Array.from(record.model.layers[1].weights); nanWeights[5] = Number.NaN
    const nanRecord: ModelRecord = { ...record, model: { ...record.model, layers: [record.model.layers[0], { ...record.model.layers[1], weights: nanWeights }] } }
    assert.throws(() => encodeModel(nanRecord), NonFiniteValueError)
    const planted = withHeader(encodeModel(record), (header, payload) => {
      new DataView(payload.buffer).setFloat32(8, Number.NaN, true)
      header.payloadCrc32 = crc32(payload)
    })
    assert.throws(() => decodeModel(planted), NonFiniteValueError)
  })

  it('names the mismatch when the file holds another model than the one expected', () => {
    const file = encodeModel(record)
    assert.throws(() => decodeModel(file, { ...expected, seed: 4 }), (err: Error) => err instanceof InvalidModelFileError && /seed/.test(err.message))
    const otherShape = resolveHyperparameters({ ...record.hyperparameters, layerSizes: [784, 32, 10] })
    assert.throws(() => decodeModel(file, { ...expected, hyperparameters: otherShape }), (err: Error) => err instanceof InvalidModelFileError && /layerSizes/.test(err.message))
    assert.throws(() => decodeModel(file, { ...expected, datasetFingerprint: 'other' }), (err: Error) => err instanceof InvalidModelFileError && /does not match the requested model/.test(err.message))
  })

  it('keys differ for any hyperparameter, seed or data change', () => {
    const h = record.hyperparameters
    const key = modelCacheKey(h, 3, record.datasetFingerprint)
    assert.equal(modelCacheKey({ ...h }, 3, record.datasetFingerprint), key)
    assert.notEqual(modelCacheKey({ ...h, epochs: h.epochs + 1 }, 3, record.datasetFingerprint), key)
    assert.notEqual(modelCacheKey({ ...h, weightNoise: 0.04 }, 3, record.datasetFingerprint), key)
    assert.notEqual(modelCacheKey(h, 4, record.datasetFingerprint), key)
    assert.notEqual(modelCacheKey(h, 3, datasetFingerprint(sliceDataset(train, 1, 500))), key)
  })

  it('saves and loads through the file system', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tessera-model-file-'))
    try {
      const path = join(dir, 'sub', 'm.tsrmlp')
      await saveModel(path, record)
      const loaded = await loadModel(path, expected)
      assert.deepEqual(bytesOf(loaded.model.layers[0].weights), bytesOf(record.model.layers[0].weights))
      const bytes = await readFile(path)
      await writeFile(path, bytes.subarray(0, 40))
      await assert.rejects(loadModel(path), InvalidModelFileError)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
