/**
 * The trained-model file.
 *
 * File format (version 1, all integers and floats little-endian):
 *
 * | offset | size | content |
 * | --- | --- | --- |
 * | 0 | 8 | magic `TSRMLP\r\n` |
 * | 8 | 4 | format version (uint32) |
 * | 12 | 4 | header length H in bytes (uint32, ≤ 64 KiB) |
 * | 16 | H | UTF-8 JSON header: `key`, `layerSizes`, `seed`, `hyperparameters`, `datasetFingerprint`, `trainingTimeMs`, `epochLosses`, `payloadBytes`, `payloadCrc32` |
 * | 16 + H | payloadBytes | per layer: weights (`inputs × outputs` float32, crossbar orientation W^T), then biases (`outputs` float32) |
 *
 * Reading checks the magic, version, header, payload length and CRC-32, then the model's shapes and that every
 * value is finite, and — when the caller says what it expects — that the file's cache key matches.
 * The key is a hash of everything that determines the weights (layer sizes, hyperparameters, seed, the
 * training data's fingerprint, the format version); the model cache names files after it.
 */
import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { crc32 } from 'node:zlib'
import { ShapeMismatchError } from '@tessera/crossbar'
import { MODEL_FILE_MAGIC, MODEL_FILE_MAX_HEADER_BYTES, MODEL_FILE_VERSION } from './constants.js'
import { InvalidModelFileError } from './errors.js'
import { validateModel } from './mlp.js'
import type { DenseLayer, MlpModel } from './mlp.js'
import type { Dataset } from './mnist.js'
import { resolveHyperparameters } from './train.js'
import type { TrainingHyperparameters, TrainResult } from './train.js'

const PREAMBLE_BYTES = 16

/** A trained model with everything needed to know where it came from. */
export interface ModelRecord extends TrainResult {
  /** Fingerprint of the training data (see `datasetFingerprint`). */
  readonly datasetFingerprint: string
}

/** CRC-32 of a dataset's pixels and labels with its size, as hex: identifies the training data in a cache key. */
export function datasetFingerprint (data: Dataset): string {
  const pixels = crc32(new Uint8Array(data.images.buffer, data.images.byteOffset, data.images.byteLength))
  const labels = crc32(data.labels)
  return `${data.count}x${data.pixels}-${pixels.toString(16).padStart(8, '0')}-${labels.toString(16).padStart(8, '0')}`
}

/** The cache key of a model: hex SHA-256 (first 16 digits) over the canonical JSON of what determines its weights. */
export function modelCacheKey (hyperparameters: TrainingHyperparameters, seed: number | string, fingerprint: string): string {
  const canonical = JSON.stringify({
    formatVersion: MODEL_FILE_VERSION,
    seed,
    datasetFingerprint: fingerprint,
    hyperparameters: Object.fromEntries(Object.entries(hyperparameters).sort(([a], [b]) => a.localeCompare(b)))
  })
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

interface ModelFileHeader {
  key: string
  layerSizes: number[]
  seed: number | string
  hyperparameters: TrainingHyperparameters
  datasetFingerprint: string
  trainingTimeMs: number
  epochLosses: number[]
  payloadBytes: number
  payloadCrc32: number
}

/** Serialises a model record (validated first: a NaN weight throws NonFiniteValueError). */
export function encodeModel (record: ModelRecord): Uint8Array {
  validateModel(record.model)
  const payloadBytes = record.model.layers.reduce((sum, layer) => sum + 4 * (layer.weights.length + layer.bias.length), 0)
  const payload = new Uint8Array(payloadBytes)
  const view = new DataView(payload.buffer)
  let offset = 0
  for (const layer of record.model.layers) {
    for (const values of [layer.weights, layer.bias]) {
      for (let i = 0; i < values.length; i++, offset += 4) view.setFloat32(offset, values[i], true)
    }
  }
  const header: ModelFileHeader = {
    key: modelCacheKey(record.hyperparameters, record.seed, record.datasetFingerprint),
    layerSizes: [...record.model.layerSizes],
    seed: record.seed,
    hyperparameters: record.hyperparameters,
    datasetFingerprint: record.datasetFingerprint,
    trainingTimeMs: record.trainingTimeMs,
    epochLosses: record.epochLosses,
    payloadBytes,
    payloadCrc32: crc32(payload)
  }
  const headerBytes = new TextEncoder().encode(JSON.stringify(header))
  const file = new Uint8Array(PREAMBLE_BYTES + headerBytes.length + payloadBytes)
  file.set(new TextEncoder().encode(MODEL_FILE_MAGIC), 0)
  const fileView = new DataView(file.buffer)
  fileView.setUint32(8, MODEL_FILE_VERSION, true)
  fileView.setUint32(12, headerBytes.length, true)
  file.set(headerBytes, PREAMBLE_BYTES)
  file.set(payload, PREAMBLE_BYTES + headerBytes.length)
  return file
}

/** What a caller expects a model file to hold; any difference throws InvalidModelFileError. */
export interface ExpectedModel {
  hyperparameters: TrainingHyperparameters
  seed: number | string
  datasetFingerprint: string
}

/**
 * Parses and checks a model file. Throws InvalidModelFileError (bad magic, version, header, length or
 * checksum), ShapeMismatchError / NonFiniteValueError (bad layers or values) and, when `expected` is
 * given, InvalidModelFileError.
 */
export function decodeModel (bytes: Uint8Array, expected?: ExpectedModel): ModelRecord {
  if (bytes.length < PREAMBLE_BYTES) throw new InvalidModelFileError(`model file is ${bytes.length} bytes, shorter than its ${PREAMBLE_BYTES}-byte preamble`)
  const magic = new TextDecoder().decode(bytes.subarray(0, 8))
  if (magic !== MODEL_FILE_MAGIC) throw new InvalidModelFileError('not a tessera model file (bad magic)')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const version = view.getUint32(8, true)
  if (version !== MODEL_FILE_VERSION) throw new InvalidModelFileError(`model file format version ${version}, this code reads ${MODEL_FILE_VERSION}`)
  const headerLength = view.getUint32(12, true)
  if (headerLength > MODEL_FILE_MAX_HEADER_BYTES || PREAMBLE_BYTES + headerLength > bytes.length) {
    throw new InvalidModelFileError(`model file header length ${headerLength} does not fit the ${bytes.length}-byte file`)
  }
  let header: ModelFileHeader
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength)))
  } catch (err) {
    throw new InvalidModelFileError(`model file header is not valid JSON: ${(err as Error).message}`, { cause: err })
  }
  checkHeader(header)
  const payload = bytes.subarray(PREAMBLE_BYTES + headerLength)
  if (payload.length !== header.payloadBytes) {
    throw new InvalidModelFileError(`model file payload is ${payload.length} bytes, its header says ${header.payloadBytes}`)
  }
  if (crc32(payload) !== header.payloadCrc32) throw new InvalidModelFileError('model file payload checksum mismatch')

  const sizes = header.layerSizes
  const needed = sizes.slice(0, -1).reduce((sum, inputs, l) => sum + 4 * (inputs * sizes[l + 1] + sizes[l + 1]), 0)
  if (needed !== payload.length) {
    throw new ShapeMismatchError(`layer sizes [${sizes.join(', ')}] need ${needed} payload bytes, the file has ${payload.length}`)
  }
  const payloadView = new DataView(payload.buffer, payload.byteOffset, payload.byteLength)
  let offset = 0
  const read = (count: number): Float32Array => {
    const values = new Float32Array(count)
    for (let i = 0; i < count; i++, offset += 4) values[i] = payloadView.getFloat32(offset, true)
    return values
  }
  const layers: DenseLayer[] = []
  for (let l = 0; l + 1 < sizes.length; l++) {
    const weights = read(sizes[l] * sizes[l + 1])
    layers.push({ inputs: sizes[l], outputs: sizes[l + 1], weights, bias: read(sizes[l + 1]) })
  }
  const model: MlpModel = { layerSizes: [...sizes], layers }
  validateModel(model)

  const hyperparameters = resolveHyperparameters(header.hyperparameters)
  if (modelCacheKey(hyperparameters, header.seed, header.datasetFingerprint) !== header.key) {
    throw new InvalidModelFileError('model file key does not match its own header')
  }
  if (hyperparameters.layerSizes.join() !== sizes.join()) {
    throw new InvalidModelFileError(`model file layer sizes [${sizes.join(', ')}] differ from its hyperparameters' [${hyperparameters.layerSizes.join(', ')}]`)
  }
  if (expected !== undefined) {
    const differences: string[] = []
    if (expected.seed !== header.seed) differences.push(`seed ${String(header.seed)} ≠ ${String(expected.seed)}`)
    if (expected.datasetFingerprint !== header.datasetFingerprint) differences.push(`training data ${header.datasetFingerprint} ≠ ${expected.datasetFingerprint}`)
    for (const [name, value] of Object.entries(expected.hyperparameters)) {
      const stored = (hyperparameters as unknown as Record<string, unknown>)[name]
      if (JSON.stringify(stored) !== JSON.stringify(value)) differences.push(`${name} ${JSON.stringify(stored)} ≠ ${JSON.stringify(value)}`)
    }
    if (differences.length > 0) throw new InvalidModelFileError(`model file does not match the requested model: ${differences.join('; ')}`)
  }
  return {
    model,
    hyperparameters,
    seed: header.seed,
    datasetFingerprint: header.datasetFingerprint,
    trainingTimeMs: header.trainingTimeMs,
    epochLosses: header.epochLosses
  }
}

function checkHeader (header: ModelFileHeader): void {
  const bad = (what: string): never => { throw new InvalidModelFileError(`model file header: ${what}`) }
  if (header === null || typeof header !== 'object') bad('not an object')
  if (typeof header.key !== 'string') bad('key missing')
  if (!Array.isArray(header.layerSizes) || header.layerSizes.length < 2 || !header.layerSizes.every((n) => Number.isInteger(n) && n > 0)) bad('layerSizes must be ≥ 2 positive integers')
  if (typeof header.seed !== 'number' && typeof header.seed !== 'string') bad('seed missing')
  if (header.hyperparameters === null || typeof header.hyperparameters !== 'object') bad('hyperparameters missing')
  if (typeof header.datasetFingerprint !== 'string') bad('datasetFingerprint missing')
  if (typeof header.trainingTimeMs !== 'number') bad('trainingTimeMs missing')
  if (!Array.isArray(header.epochLosses)) bad('epochLosses missing')
  if (!Number.isInteger(header.payloadBytes) || header.payloadBytes < 0) bad('payloadBytes missing')
  if (!Number.isInteger(header.payloadCrc32)) bad('payloadCrc32 missing')
}

/** Writes a model file atomically (temporary file, then rename), creating the directory. */
export async function saveModel (path: string, record: ModelRecord): Promise<void> {
  const bytes = encodeModel(record)
  await mkdir(dirname(path), { recursive: true })
  const temporary = `${path}.${process.pid}.tmp`
  await writeFile(temporary, bytes)
  await rename(temporary, path)
}

/** Reads and checks a model file (see `decodeModel`). */
export async function loadModel (path: string, expected?: ExpectedModel): Promise<ModelRecord> {
  return decodeModel(new Uint8Array(await readFile(path)), expected)
}
