import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ShapeMismatchError } from '@tessera/crossbar'
import { bertBaseShapes, gemmWorkloads, resnet50FpnShapes, resnet50Shapes, syntheticWeights } from '../src/shapes.js'

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0)

describe('GEMM shape catalogues', () => {
  it('labels every workload "shapes of", with unique matrix ids and positive shapes', () => {
    for (const workload of gemmWorkloads()) {
      assert.match(workload.label, /^shapes of /)
      assert.doesNotMatch(workload.label, /accuracy/)
      assert.equal(new Set(workload.matrices.map((m) => m.id)).size, workload.matrices.length)
      for (const m of workload.matrices) {
        assert.ok(Number.isInteger(m.rows) && m.rows > 0 && Number.isInteger(m.cols) && m.cols > 0, m.id)
        assert.ok(Number.isInteger(m.vectorsPerInference) && m.vectorsPerInference > 0, m.id)
        assert.ok(m.weightStd > 0, m.id)
      }
    }
  })

  it('BERT-base has 12 layers of Q, K, V, O (768×768) and FFN 768×3072, 3072×768 at 384 tokens', () => {
    const bert = bertBaseShapes()
    assert.equal(bert.matrices.length, 72)
    assert.ok(bert.matrices.every((m) => m.vectorsPerInference === 384))
    // The encoder's published parameter count without biases, embeddings and layer norms:
    // 12 · (4 · 768² + 2 · 768 · 3072) = 84,934,656.
    assert.equal(sum(bert.matrices.map((m) => m.rows * m.cols)), 84_934_656)
    const layer0 = bert.matrices.filter((m) => m.id.startsWith('encoder.0.'))
    assert.deepEqual(layer0.map((m) => [m.rows, m.cols]), [[768, 768], [768, 768], [768, 768], [768, 768], [768, 3072], [3072, 768]])
  })

  it('ResNet-50 has 53 convolutions + fc with the published weight count and 4.1 GMAC at 224×224', () => {
    const resnet = resnet50Shapes()
    assert.equal(resnet.matrices.length, 54)
    // torchvision's resnet50 has 25,557,032 parameters; without the 53,120 batch-norm parameters and the
    // 1,000 fc biases the weights are 25,502,912.
    assert.equal(sum(resnet.matrices.map((m) => m.rows * m.cols)), 25_502_912)
    assert.deepEqual(resnet.matrices[0], { ...resnet.matrices[0], id: 'conv1', rows: 147, cols: 64, vectorsPerInference: 112 * 112 })
    const conv2 = resnet.matrices.find((m) => m.id === 'layer2.0.conv2')
    assert.deepEqual([conv2?.rows, conv2?.cols, conv2?.vectorsPerInference], [1152, 128, 28 * 28])
    const last = resnet.matrices.find((m) => m.id === 'layer4.2.conv3')
    assert.deepEqual([last?.rows, last?.cols, last?.vectorsPerInference], [512, 2048, 7 * 7])
    // The widely quoted ~4.1 GMAC (often "4.1 GFLOPs") of ResNet-50 at 224×224.
    const macs = sum(resnet.matrices.map((m) => m.rows * m.cols * m.vectorsPerInference))
    assert.ok(macs > 4.0e9 && macs < 4.2e9, `${macs} MACs`)
  })

  it('the ResNet-50-FPN backbone adds the pyramid to the body at 640×640', () => {
    const fpn = resnet50FpnShapes()
    const body = resnet50Shapes(640).matrices.filter((m) => m.id !== 'fc')
    assert.deepEqual(fpn.matrices.slice(0, body.length), body)
    const pyramid = fpn.matrices.slice(body.length)
    assert.deepEqual(pyramid.map((m) => [m.rows, m.cols]), [[256, 256], [512, 256], [1024, 256], [2048, 256], [2304, 256], [2304, 256], [2304, 256], [2304, 256]])
    // C2 … C5 sit at strides 4, 8, 16, 32: 160², 80², 40², 20² pixels.
    assert.deepEqual(pyramid.slice(0, 4).map((m) => m.vectorsPerInference), [25_600, 6400, 1600, 400])
    // Lateral (256 + 512 + 1024 + 2048) · 256 = 983,040 plus output 4 · 2304 · 256 = 2,359,296 weights.
    assert.equal(sum(pyramid.map((m) => m.rows * m.cols)), 983_040 + 2_359_296)
  })

  it('rejects bad resolutions', () => {
    assert.throws(() => bertBaseShapes(0), RangeError)
    assert.throws(() => resnet50Shapes(1.5), RangeError)
    assert.throws(() => resnet50FpnShapes(-640), RangeError)
  })
})

describe('syntheticWeights', () => {
  const matrix = { id: 'x', rows: 60, cols: 50, vectorsPerInference: 1, weightStd: 0.02 }

  it('is seeded: same seed same values, other seed or id other values', () => {
    const a = syntheticWeights(matrix, 1)
    assert.equal(a.length, 3000)
    assert.deepEqual(syntheticWeights(matrix, 1), a)
    assert.notDeepEqual(syntheticWeights(matrix, 2), a)
    assert.notDeepEqual(syntheticWeights({ ...matrix, id: 'y' }, 1), a)
  })

  it('draws N(0, weightStd²): mean and variance within 5 standard errors', () => {
    const n = 3000
    const values = syntheticWeights(matrix, 'stats')
    const mean = sum([...values]) / n
    const variance = sum([...values].map((v) => (v - mean) ** 2)) / (n - 1)
    const sigma = matrix.weightStd
    assert.ok(Math.abs(mean) < 5 * sigma / Math.sqrt(n), `mean ${mean}`)
    // The sample variance of n normals has standard error σ²·√(2 / (n − 1)).
    assert.ok(Math.abs(variance - sigma ** 2) < 5 * sigma ** 2 * Math.sqrt(2 / (n - 1)), `variance ${variance}`)
  })

  it('rejects bad shapes', () => {
    assert.throws(() => syntheticWeights({ ...matrix, rows: 0 }, 1), ShapeMismatchError)
    assert.throws(() => syntheticWeights({ ...matrix, weightStd: 0 }, 1), RangeError)
  })
})
