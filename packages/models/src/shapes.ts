/**
 * GEMM shape catalogues: the weight matrices of well-known networks in crossbar orientation (`rows` = inputs,
 * `cols` = outputs), with how many input vectors each matrix sees per inference, plus seeded synthetic values.
 *
 * These are *shapes of* the networks — for planning, utilisation and throughput — never trained weights:
 * results on them must be reported as "shapes of …", never as "accuracy on …". Activation × activation
 * products (attention's QKᵀ and AV) hold no weights and are not listed; biases and normalisation layers are
 * left out as they live in the digital periphery.
 */

import { createRng, ShapeMismatchError } from '@tessera/crossbar'

/** One weight matrix of a workload. */
export interface GemmMatrix {
  /** Layer name in the framework's own naming, e.g. `encoder.3.attention.query` or `layer2.0.conv2`. */
  id: string
  /** Inputs: `in_features`, or `C_in · kh · kw` for a convolution as an im2col GEMM. */
  rows: number
  /** Outputs: `out_features`, or `C_out`. */
  cols: number
  /** Input vectors per inference: tokens, or output pixels (im2col columns) of a convolution. */
  vectorsPerInference: number
  /** Standard deviation of the synthetic values: that of the network's own initialiser. */
  weightStd: number
}

/** A named list of weight matrices. */
export interface GemmWorkload {
  /** Short machine name, e.g. `bert-base-squad384`. */
  name: string
  /** Human label, always starting with "shapes of". */
  label: string
  matrices: GemmMatrix[]
}

/** BERT's `initializer_range`: weights are N(0, 0.02²). */
const BERT_INIT_STD = 0.02

/**
 * BERT-base encoder (12 layers, hidden 768, FFN 3072) at `sequenceLength` tokens (384: the SQuAD setting).
 * Per layer: query, key, value and attention output (768×768), FFN intermediate (768×3072) and output
 * (3072×768); each sees one vector per token.
 */
export function bertBaseShapes (sequenceLength = 384): GemmWorkload {
  assertPositiveInteger(sequenceLength, 'sequenceLength')
  const hidden = 768
  const ffn = 3072
  const matrices: GemmMatrix[] = []
  for (let layer = 0; layer < 12; layer++) {
    const prefix = `encoder.${layer}`
    const add = (id: string, rows: number, cols: number): void => {
      matrices.push({ id: `${prefix}.${id}`, rows, cols, vectorsPerInference: sequenceLength, weightStd: BERT_INIT_STD })
    }
    add('attention.query', hidden, hidden)
    add('attention.key', hidden, hidden)
    add('attention.value', hidden, hidden)
    add('attention.output', hidden, hidden)
    add('intermediate', hidden, ffn)
    add('output', ffn, hidden)
  }
  return { name: `bert-base-squad${sequenceLength}`, label: `shapes of the BERT-base encoder (12 layers) at sequence length ${sequenceLength} (SQuAD)`, matrices }
}

/**
 * ResNet-50 (torchvision v1.5: the stride sits on each bottleneck's 3×3 convolution) at a square
 * `imageSize` input (224: ImageNet), every convolution as an im2col GEMM (rows = C_in·kh·kw, cols = C_out,
 * one input vector per output pixel), plus the final fully connected layer (2048×1000, one vector).
 */
export function resnet50Shapes (imageSize = 224): GemmWorkload {
  assertPositiveInteger(imageSize, 'imageSize')
  const { matrices } = resnet50Body(imageSize)
  matrices.push({ id: 'fc', rows: 2048, cols: 1000, vectorsPerInference: 1, weightStd: 1 / Math.sqrt(3 * 2048) })
  return { name: `resnet50-imagenet${imageSize}`, label: `shapes of ResNet-50 (53 convolutions as im2col GEMMs + fc) at ${imageSize}×${imageSize} (ImageNet)`, matrices }
}

/**
 * The detection backbone of torchvision's Faster R-CNN ResNet-50-FPN at a square `imageSize` input (640×640:
 * a COCO resolution): the ResNet-50 body without its classifier, and the feature pyramid's four lateral 1×1
 * convolutions (C2…C5 → 256 channels) and four 3×3 output convolutions (256 → 256). The region proposal
 * network and the box head are not part of the backbone and are left out.
 */
export function resnet50FpnShapes (imageSize = 640): GemmWorkload {
  assertPositiveInteger(imageSize, 'imageSize')
  const { matrices, stageOutputs } = resnet50Body(imageSize)
  const fpnChannels = 256
  stageOutputs.forEach(({ channels, pixels }, level) => {
    matrices.push({ id: `fpn.inner_blocks.${level}`, rows: channels, cols: fpnChannels, vectorsPerInference: pixels, weightStd: 1 / Math.sqrt(channels) })
  })
  stageOutputs.forEach(({ pixels }, level) => {
    matrices.push({ id: `fpn.layer_blocks.${level}`, rows: fpnChannels * 9, cols: fpnChannels, vectorsPerInference: pixels, weightStd: 1 / Math.sqrt(fpnChannels * 9) })
  })
  return { name: `resnet50-fpn-coco${imageSize}`, label: `shapes of the Faster R-CNN ResNet-50-FPN backbone (body + FPN) at ${imageSize}×${imageSize} (COCO)`, matrices }
}

/** The three catalogue workloads at their reference resolutions. */
export function gemmWorkloads (): GemmWorkload[] {
  return [bertBaseShapes(), resnet50Shapes(), resnet50FpnShapes()]
}

/**
 * Seeded synthetic values for a matrix: `rows × cols` row-major float32 (crossbar orientation), drawn
 * N(0, weightStd²). The stream depends only on `seed` and the matrix id, so every matrix of a workload gets
 * independent values and the same seed gives the same values on every machine.
 */
export function syntheticWeights (matrix: GemmMatrix, seed: number | string): Float32Array {
  if (!Number.isInteger(matrix.rows) || matrix.rows < 1 || !Number.isInteger(matrix.cols) || matrix.cols < 1) {
    throw new ShapeMismatchError(`matrix ${matrix.id} has shape ${matrix.rows}×${matrix.cols}`)
  }
  if (!(Number.isFinite(matrix.weightStd) && matrix.weightStd > 0)) throw new RangeError(`matrix ${matrix.id} has weightStd ${matrix.weightStd}; it must be positive`)
  const rng = createRng(`${seed}/synthetic/${matrix.id}`)
  const values = new Float32Array(matrix.rows * matrix.cols)
  for (let i = 0; i < values.length; i++) values[i] = rng.nextNormal() * matrix.weightStd
  return values
}

interface StageOutput {
  channels: number
  pixels: number
}

/** Output side of a convolution or pooling with the given kernel, stride and padding. */
function convOut (size: number, kernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - kernel) / stride) + 1
}

/** ResNet-50's 53 convolutions at `imageSize` and each stage's output (for the FPN). */
function resnet50Body (imageSize: number): { matrices: GemmMatrix[], stageOutputs: StageOutput[] } {
  const matrices: GemmMatrix[] = []
  // torchvision initialises convolutions with kaiming_normal_(mode='fan_out', nonlinearity='relu').
  const conv = (id: string, cIn: number, cOut: number, kernel: number, outSide: number): void => {
    matrices.push({ id, rows: cIn * kernel * kernel, cols: cOut, vectorsPerInference: outSide * outSide, weightStd: Math.sqrt(2 / (cOut * kernel * kernel)) })
  }
  let side = convOut(imageSize, 7, 2, 3)
  conv('conv1', 3, 64, 7, side)
  side = convOut(side, 3, 2, 1)

  const stages = [
    { blocks: 3, width: 64, stride: 1 },
    { blocks: 4, width: 128, stride: 2 },
    { blocks: 6, width: 256, stride: 2 },
    { blocks: 3, width: 512, stride: 2 }
  ]
  const stageOutputs: StageOutput[] = []
  let channels = 64
  stages.forEach(({ blocks, width, stride }, stage) => {
    const outChannels = width * 4
    for (let block = 0; block < blocks; block++) {
      const prefix = `layer${stage + 1}.${block}`
      const blockStride = block === 0 ? stride : 1
      const outSide = convOut(side, 3, blockStride, 1)
      conv(`${prefix}.conv1`, channels, width, 1, side)
      conv(`${prefix}.conv2`, width, width, 3, outSide)
      conv(`${prefix}.conv3`, width, outChannels, 1, outSide)
      if (block === 0) conv(`${prefix}.downsample`, channels, outChannels, 1, convOut(side, 1, blockStride, 0))
      channels = outChannels
      side = outSide
    }
    stageOutputs.push({ channels, pixels: side * side })
  })
  return { matrices, stageOutputs }
}

function assertPositiveInteger (value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, got ${value}`)
}
