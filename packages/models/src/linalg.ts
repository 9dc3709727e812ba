/**
 * The dense-layer loops of training and float inference. Matrices are row-major; weights are stored in
 * crossbar orientation (`inputs × outputs`, i.e. W^T), so every inner loop runs over a contiguous output row.
 * Zero inputs are skipped: MNIST images are about 80% zeros and ReLU zeroes about half of each hidden layer,
 * which makes the first layer — 85% of the multiply-adds — several times cheaper without changing any sum.
 * Nothing here allocates.
 */

/**
 * y[b, o] = bias[o] + Σ_i x[b, i] · w[i, o] for b < batch. `acc` is scratch of at least `outputs` values:
 * sums run in float64 and are rounded to float32 once, which is both faster and closer to the exact sum.
 */
export function denseForward (
  x: Float32Array, batch: number, inputs: number,
  w: Float32Array, bias: Float32Array, outputs: number,
  y: Float32Array, acc: Float64Array
): void {
  const tail = outputs - (outputs % 4)
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < outputs; o++) acc[o] = bias[o]
    const xBase = b * inputs
    for (let i = 0; i < inputs; i++) {
      const xi = x[xBase + i]
      if (xi === 0) continue
      axpy(xi, w, i * outputs, acc, tail, outputs)
    }
    const yBase = b * outputs
    for (let o = 0; o < outputs; o++) y[yBase + o] = acc[o]
  }
}

/** acc[o] += a · v[base + o] for o < outputs, unrolled by four up to `tail` (= outputs rounded down to 4). */
function axpy (a: number, v: Float32Array, base: number, acc: Float64Array, tail: number, outputs: number): void {
  let o = 0
  for (let k = base; o < tail; o += 4, k += 4) {
    acc[o] += a * v[k]
    acc[o + 1] += a * v[k + 1]
    acc[o + 2] += a * v[k + 2]
    acc[o + 3] += a * v[k + 3]
  }
  for (; o < outputs; o++) acc[o] += a * v[base + o]
}

/** In place: v = max(v, 0) over the first `length` values. */
export function reluInPlace (v: Float32Array, length: number): void {
  for (let i = 0; i < length; i++) if (v[i] < 0) v[i] = 0
}

/** dx[b, i] = (Σ_o dy[b, o] · w[i, o]) · [activation[b, i] > 0] — the gradient through a dense layer and the ReLU before it. */
export function denseBackwardInput (
  dy: Float32Array, batch: number, outputs: number,
  w: Float32Array, inputs: number,
  activation: Float32Array, dx: Float32Array
): void {
  for (let b = 0; b < batch; b++) {
    const dyBase = b * outputs
    const xBase = b * inputs
    for (let i = 0; i < inputs; i++) {
      if (activation[xBase + i] <= 0) {
        dx[xBase + i] = 0
        continue
      }
      const wBase = i * outputs
      let sum = 0
      for (let o = 0; o < outputs; o++) sum += dy[dyBase + o] * w[wBase + o]
      dx[xBase + i] = sum
    }
  }
}

/**
 * dw[i, o] = Σ_b x[b, i] · dy[b, o] and dbias[o] = Σ_b dy[b, o] (overwrites both). Runs input by input so
 * each output row of dw is summed in the float64 scratch `acc` (≥ outputs values) and written once.
 */
export function denseBackwardWeights (
  x: Float32Array, batch: number, inputs: number,
  dy: Float32Array, outputs: number,
  dw: Float32Array, dbias: Float32Array, acc: Float64Array
): void {
  const tail = outputs - (outputs % 4)
  for (let i = 0; i < inputs; i++) {
    acc.fill(0, 0, outputs)
    for (let b = 0; b < batch; b++) {
      const xi = x[b * inputs + i]
      if (xi === 0) continue
      axpy(xi, dy, b * outputs, acc, tail, outputs)
    }
    const wBase = i * outputs
    for (let o = 0; o < outputs; o++) dw[wBase + o] = acc[o]
  }
  for (let o = 0; o < outputs; o++) {
    let sum = 0
    for (let b = 0; b < batch; b++) sum += dy[b * outputs + o]
    dbias[o] = sum
  }
}

/** Index of the largest of `count` values starting at `offset` (the first one on ties). */
export function argmax (values: Float32Array, offset: number, count: number): number {
  let best = 0
  let bestValue = values[offset]
  for (let k = 1; k < count; k++) {
    const v = values[offset + k]
    if (v > bestValue) {
      bestValue = v
      best = k
    }
  }
  return best
}
