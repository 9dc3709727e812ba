/**
 * The per-vector peripheral circuits of an analog MVM, next to the kernel in the same module: input measurement
 * (max |x| and Σ x², which also detects non-finite inputs), DAC scaling and quantisation, and at the outputs read noise
 * plus output noise, ADC quantisation and clipping, and the scale back to weight units. The arithmetic is
 * float32, in SIMD lanes where elementwise and in a fixed lane order where it sums; WebAssembly fixes every
 * result bit (IEEE 754 rounding, no fused multiply-add; NaN never reaches an output), so outputs are
 * bit-identical on every machine.
 *
 * Noise is counter-based: the standard normal added to output j of input vector b at bound-management level k
 * (input scaled by 2^−k) in one call is a pure function of (call key, b, k, j). The call key is two 32-bit
 * words drawn by the caller once per call: from the block's seeded generator, or, for a call that names a noise
 * key, from a generator seeded by (block seed, noise key) alone. Which reads are evaluated, in what
 * order and in how many kernel calls therefore cannot change any result.
 *
 * Generator: each read (b, k) gets the 64-bit seed mix64(key + (n + 1)·γ), n = b·2^18 + k·2^12, i.e. the n-th
 * output of the SplitMix64 stream seeded with the key (Steele, Lea & Flood, OOPSLA 2014; γ = 0x9e3779b97f4a7c15).
 * The next eight outputs of the SplitMix64 stream seeded with that seed fill the states of four xoshiro128**
 * generators (Blackman & Vigna 2018) that advance together in SIMD lanes; output j takes the 32-bit word of
 * lane j mod 4 at step ⌊j/4⌋ through the ziggurat method (Marsaglia & Tsang 2000, 128 layers, the tables of
 * src/ziggurat.ts; fast path in float32), and the ~1 % of words that leave the fast path finish in scalar
 * float64 code on a SplitMix64 stream seeded by (seed, j).
 */

const LAYERS: i32 = 128
const TAIL_START: f64 = 3.442619855899
const LAYER_AREA: f64 = 9.91256303526217e-3
const TWO_POW_31: f64 = 2147483648.0
const TWO_POW_32: f64 = 4294967296.0
const GAMMA: u64 = 0x9e3779b97f4a7c15
/** Fields of the read counter n = b·2^18 + k·2^12 (levels k < 64). */
const LEVEL_SHIFT: u64 = 12
const VECTOR_SHIFT: u64 = 18

/** Scratch for reading the lanes of a vector. */
const LANES = memory.data(16, 16)

const KN = memory.data(LAYERS * 4)
const WN = memory.data(LAYERS * 8)
const FN = memory.data(LAYERS * 8)

function buildTables (): void {
  let dn = TAIL_START
  let tn = dn
  const q = LAYER_AREA / Math.exp(-0.5 * dn * dn)
  store<u32>(KN, <u32>Math.floor((dn / q) * TWO_POW_31))
  store<u32>(KN + 4, 0)
  store<f64>(WN, q / TWO_POW_31)
  store<f64>(WN + <usize>(LAYERS - 1) * 8, dn / TWO_POW_31)
  store<f64>(FN, 1.0)
  store<f64>(FN + <usize>(LAYERS - 1) * 8, Math.exp(-0.5 * dn * dn))
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2.0 * Math.log(LAYER_AREA / dn + Math.exp(-0.5 * dn * dn)))
    store<u32>(KN + <usize>(i + 1) * 4, <u32>Math.floor((dn / tn) * TWO_POW_31))
    tn = dn
    store<f64>(FN + <usize>i * 8, Math.exp(-0.5 * dn * dn))
    store<f64>(WN + <usize>i * 8, dn / TWO_POW_31)
  }
}
buildTables()

@inline
function mix64 (z0: u64): u64 {
  let z = z0
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
  z = (z ^ (z >> 27)) * 0x94d049bb133111eb
  return z ^ (z >> 31)
}

/** State of the slow-path stream of the draw in progress. */
let slowState: u64 = 0

function slowNext (): u32 {
  slowState += GAMMA
  return <u32>(mix64(slowState) >> 32)
}

/** Uniform in (0, 1), never 0, so its logarithm is finite. */
function slowOpen (): f64 {
  return (<f64>slowNext() + 0.5) / TWO_POW_32
}

@inline
function absU32 (hz: i32): u32 {
  const sign = hz >> 31
  return <u32>((hz ^ sign) - sign)
}

/** The ziggurat's rejection and tail, entered for about 1 % of draws. */
function slowNormal (first: i32, seed: u64): f64 {
  slowState = seed
  let hz = first
  for (;;) {
    const iz = hz & (LAYERS - 1)
    const x = <f64>hz * load<f64>(WN + <usize>iz * 8)
    if (iz == 0) {
      let tail: f64
      let y: f64
      do {
        tail = -Math.log(slowOpen()) / TAIL_START
        y = -Math.log(slowOpen())
      } while (y + y < tail * tail)
      return hz > 0 ? TAIL_START + tail : -TAIL_START - tail
    }
    const fHigh = load<f64>(FN + <usize>(iz - 1) * 8)
    const fLow = load<f64>(FN + <usize>iz * 8)
    if (fLow + slowOpen() * (fHigh - fLow) < Math.exp(-0.5 * x * x)) return x
    hz = <i32>slowNext()
    const next = hz & (LAYERS - 1)
    if (absU32(hz) < load<u32>(KN + <usize>next * 4)) return <f64>hz * load<f64>(WN + <usize>next * 8)
  }
  return unreachable()
}

@inline
function callKey (keyLo: u32, keyHi: u32): u64 {
  return (<u64>keyHi << 32) | <u64>keyLo
}

/** The ziggurat tables in float32 for the SIMD fast path (WN32[i] = WN[i] rounded). */
const WN32 = memory.data(LAYERS * 4)
/** (kn[i], WN32[i]) side by side, 8 bytes per layer, for the SIMD gather. */
const KNWN = memory.data(LAYERS * 8, 8)
function buildTables32 (): void {
  for (let i = 0; i < LAYERS; i++) {
    const w = <f32>load<f64>(WN + <usize>i * 8)
    store<f32>(WN32 + <usize>i * 4, w)
    store<u32>(KNWN + <usize>i * 8, load<u32>(KN + <usize>i * 4))
    store<f32>(KNWN + <usize>i * 8 + 4, w)
  }
}
buildTables32()

/** The 64-bit seed of the read of vector b at `level` in the call with key `key`. */
@inline
function readSeed (key: u64, b: i32, level: i32): u64 {
  const n = (<u64>b << VECTOR_SHIFT) | (<u64>level << LEVEL_SHIFT)
  return mix64(key + (n + 1) * GAMMA)
}

/** The four xoshiro128** lanes of one read, seeded from the SplitMix64 stream of its seed. */
let lane0 = i32x4.splat(0)
let lane1 = i32x4.splat(0)
let lane2 = i32x4.splat(0)
let lane3 = i32x4.splat(0)

@inline
function seedLanes (seed: u64): void {
  let s: u64 = seed
  s += GAMMA
  const w0 = mix64(s)
  s += GAMMA
  const w1 = mix64(s)
  s += GAMMA
  const w2 = mix64(s)
  s += GAMMA
  const w3 = mix64(s)
  s += GAMMA
  const w4 = mix64(s)
  s += GAMMA
  const w5 = mix64(s)
  s += GAMMA
  const w6 = mix64(s)
  s += GAMMA
  const w7 = mix64(s)
  // State word k of the four lanes is the four 32-bit halves of w_2k, w_2k+1 (low half first); an all-zero
  // lane (chance 2^−128) gets s0 = 1.
  const s0 = i64x2.replace_lane(i64x2.splat(w0), 1, w1)
  lane1 = i64x2.replace_lane(i64x2.splat(w2), 1, w3)
  lane2 = i64x2.replace_lane(i64x2.splat(w4), 1, w5)
  lane3 = i64x2.replace_lane(i64x2.splat(w6), 1, w7)
  const zero = v128.or(v128.or(s0, lane1), v128.or(lane2, lane3))
  lane0 = v128.or(s0, v128.and(i32x4.eq(zero, i32x4.splat(0)), i32x4.splat(1)))
}

/** One xoshiro128** step of the four lanes: their next 32-bit outputs. */
@inline
function stepLanes (): v128 {
  const s0 = lane0
  const s1 = lane1
  const m = i32x4.mul(s1, i32x4.splat(5))
  const bits = i32x4.mul(v128.or(i32x4.shl(m, 7), i32x4.shr_u(m, 25)), i32x4.splat(9))
  const t = i32x4.shl(s1, 9)
  const s2 = v128.xor(lane2, s0)
  const s3 = v128.xor(lane3, s1)
  lane1 = v128.xor(s1, s2)
  lane0 = v128.xor(s0, s3)
  lane2 = v128.xor(s2, t)
  lane3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21))
  return bits
}

/** The normal of output j from its 32-bit word: the ziggurat's float32 fast path, else its scalar slow path. */
@inline
function normalAt (seed: u64, j: i32, hz: i32): f32 {
  const iz = <usize>(hz & (LAYERS - 1))
  const sign = hz >> 31
  if (<u32>((hz ^ sign) - sign) < load<u32>(KN + (iz << 2))) return <f32>hz * load<f32>(WN32 + (iz << 2))
  return <f32>slowNormal(hz, seed ^ mix64(<u64>(j + 1) * GAMMA))
}

/**
 * Writes the first `count` standard normals of the read with seed `seed` as float32 to `dst`, rounded up to a
 * multiple of four (`dst` must hold that many). Normal j comes from step ⌊j/4⌋ of lane j mod 4: four
 * xoshiro128** streams (Blackman & Vigna), seeded with the SplitMix64 stream of `seed`, advance together in
 * SIMD lanes, and each 32-bit output goes through the ziggurat (`normalAt`, here four lanes at once).
 */
function fillNormals (seed: u64, count: i32, dst: usize): void {
  // SLOW_MASKS has room for 4096 outputs, the widest tile (MAX_TILE_SIDE).
  if (count > 4096) unreachable()
  seedLanes(seed)
  let s0 = lane0
  let s1 = lane1
  let s2 = lane2
  let s3 = lane3
  const mask = v128.load(STEP_CONSTANTS)
  const five = v128.load(STEP_CONSTANTS, 16)
  const nine = v128.load(STEP_CONSTANTS, 32)
  const steps = (count + 3) >> 2
  let d = dst
  let slowMasks = SLOW_MASKS
  let slowAny = i32x4.splat(0)
  for (let step = 0; step < steps; step++) {
    const m = i32x4.mul(s1, five)
    const bits = i32x4.mul(v128.or(i32x4.shl(m, 7), i32x4.shr_u(m, 25)), nine)
    const t = i32x4.shl(s1, 9)
    s2 = v128.xor(s2, s0)
    s3 = v128.xor(s3, s1)
    s1 = v128.xor(s1, s2)
    s0 = v128.xor(s0, s3)
    s2 = v128.xor(s2, t)
    s3 = v128.or(i32x4.shl(s3, 11), i32x4.shr_u(s3, 21))
    // Gather (kn, wn) of the four layers, one 8-byte load per lane, then split them apart.
    const iz = i32x4.shl(v128.and(bits, mask), 3)
    let pairs01 = v128.load64_lane(KNWN + <usize>i32x4.extract_lane(iz, 0), i64x2.splat(0), 0)
    pairs01 = v128.load64_lane(KNWN + <usize>i32x4.extract_lane(iz, 1), pairs01, 1)
    let pairs23 = v128.load64_lane(KNWN + <usize>i32x4.extract_lane(iz, 2), i64x2.splat(0), 0)
    pairs23 = v128.load64_lane(KNWN + <usize>i32x4.extract_lane(iz, 3), pairs23, 1)
    const kn = v128.shuffle<i32>(pairs01, pairs23, 0, 2, 4, 6)
    const wn = v128.shuffle<i32>(pairs01, pairs23, 1, 3, 5, 7)
    v128.store(d, f32x4.mul(f32x4.convert_i32x4_s(bits), wn))
    // Lanes whose |hz| (unsigned: i32x4.abs leaves −2^31 at 2^31, which no kn reaches) is not below kn leave the
    // fast path; they are redone below, off the hot loop (one step in ~20 has one).
    const slow = i32x4.ge_u(i32x4.abs(bits), kn)
    slowAny = v128.or(slowAny, slow)
    v128.store(slowMasks, slow)
    v128.store(slowMasks, bits, SLOW_BITS_OFFSET)
    slowMasks += 16
    d += 16
  }
  if (!v128.any_true(slowAny)) return
  for (let step = 0; step < steps; step++) {
    const at = SLOW_MASKS + (<usize>step << 4)
    if (!v128.any_true(v128.load(at))) continue
    for (let lane = 0; lane < 4; lane++) {
      if (load<i32>(at + (<usize>lane << 2)) == 0) continue
      const j = (step << 2) + lane
      store<f32>(dst + (<usize>j << 2), normalAt(seed, j, load<i32>(at + (<usize>lane << 2), SLOW_BITS_OFFSET)))
    }
  }
}

/**
 * Vector constants, loaded from memory so that they stay in registers across loops (V8 rebuilds inline ones on
 * every use): the ziggurat's layer mask, xoshiro128**'s multipliers 5 and 9, column numbers 0–3 and their step 4.
 */
const STEP_CONSTANTS = memory.data<i32>([127, 127, 127, 127, 5, 5, 5, 5, 9, 9, 9, 9, 0, 1, 2, 3, 4, 4, 4, 4], 16)

/** Per step of `fillNormals`: its slow-lane mask, and SLOW_BITS_OFFSET bytes on, its 32-bit words (4096 columns). */
const SLOW_BITS_OFFSET: usize = 1024 * 16
const SLOW_MASKS = memory.data(2 * 1024 * 16, 16)

/** The raw 32-bit words of the first `count` outputs of the read with seed `seed` (rounded up to four), into `dst`. */
function fillBits (seed: u64, count: i32, dst: usize): void {
  seedLanes(seed)
  const steps = (count + 3) >> 2
  let d = dst
  for (let step = 0; step < steps; step++) {
    v128.store(d, stepLanes())
    d += 16
  }
}

/**
 * Writes the `count` standard normals of (vector b, level k) as float32 to `dst` (room for `count` rounded up to
 * a multiple of four): the deviates that `analogFinalize` adds to outputs 0 … count − 1. For testing the
 * generator's statistics.
 */
export function analogNormals (keyLo: u32, keyHi: u32, b: i32, level: i32, count: i32, dst: usize): void {
  fillNormals(readSeed(callKey(keyLo, keyHi), b, level), count, dst)
}

/**
 * max |x| of each of `batch` vectors of `rows` float32 values at `x`, into float32 `absMax[b]`, and Σ x² (four
 * float32 lanes, then the tail) into float32 `sumSq[b]`. Lanes use pmax (one instruction, but it may skip a
 * NaN), so the sum is the NaN detector: a non-finite value makes Σ x² NaN or ∞ (as does an overflow of finite
 * values, which the caller tells apart by looking at the vector).
 */
export function analogMeasure (x: usize, rows: i32, batch: i32, absMax: usize, sumSq: usize): void {
  let p = x
  const wide = rows & ~3
  for (let b = 0; b < batch; b++) {
    let m4 = f32x4.splat(0)
    let s4 = f32x4.splat(0)
    const end4 = p + (<usize>wide << 2)
    while (p < end4) {
      const v = v128.load(p)
      m4 = f32x4.pmax(m4, f32x4.abs(v))
      s4 = f32x4.add(s4, f32x4.mul(v, v))
      p += 16
    }
    let m = max(max(f32x4.extract_lane(m4, 0), f32x4.extract_lane(m4, 1)), max(f32x4.extract_lane(m4, 2), f32x4.extract_lane(m4, 3)))
    let sq = (f32x4.extract_lane(s4, 0) + f32x4.extract_lane(s4, 1)) + (f32x4.extract_lane(s4, 2) + f32x4.extract_lane(s4, 3))
    const end = p + (<usize>(rows - wide) << 2)
    while (p < end) {
      const v = load<f32>(p)
      m = max(m, abs(v))
      sq += v * v
      p += 4
    }
    store<f32>(absMax + (<usize>b << 2), m)
    store<f32>(sumSq + (<usize>b << 2), sq)
  }
}

/** `prepare` modes: plain scaling, scaling and clipping to ±limit, or DAC codes (round half to even, clip). */
const MODE_SCALE: i32 = 0
const MODE_CLIP: i32 = 1
const MODE_DAC: i32 = 2

/** The float32 input factor of vector b read at `level`: inputScale / (scales[b]·2^level). */
@inline
function inputFactor (inputScale: f64, scales: usize, b: i32, level: i32): f32 {
  return <f32>(inputScale / (<f64>load<f32>(scales + (<usize>b << 2)) * <f64>(1 << level)))
}

/** One vector's kernel inputs (see `analogPrepare`); returns its power. */
@inline
function prepareOne (src0: usize, rows: i32, s: f32, mode: i32, limit: f32, rowWeight: usize, dst: usize): f32 {
  const wide = rows & ~3
  const hi4 = f32x4.splat(limit)
  const lo4 = f32x4.splat(-limit)
  const s4 = f32x4.splat(s)
  let src = src0
  let out = dst
  let w = rowWeight
  let sum4 = f32x4.splat(0)
  const end4 = src + (<usize>wide << 2)
  while (src < end4) {
    let c = f32x4.mul(v128.load(src), s4)
    if (mode == MODE_DAC) c = f32x4.nearest(c)
    if (mode != MODE_SCALE) c = f32x4.pmin(f32x4.pmax(c, lo4), hi4)
    v128.store(out, c)
    sum4 = f32x4.add(sum4, f32x4.mul(f32x4.mul(c, c), v128.load(w)))
    src += 16
    out += 16
    w += 16
  }
  let sum = (f32x4.extract_lane(sum4, 0) + f32x4.extract_lane(sum4, 1)) + (f32x4.extract_lane(sum4, 2) + f32x4.extract_lane(sum4, 3))
  const end = src + (<usize>(rows - wide) << 2)
  while (src < end) {
    let c = load<f32>(src) * s
    if (mode == MODE_DAC) c = nearest(c)
    if (mode != MODE_SCALE) c = min(max(c, -limit), limit)
    store<f32>(out, c)
    sum += c * c * load<f32>(w)
    src += 4
    out += 4
    w += 4
  }
  return sum
}

/**
 * Kernel inputs of `count` reads: read v is input vector b = index[v] of `x` (`rows` float32 each) at level
 * k = levels[v], multiplied by the float32 factor inputScale / (scales[b]·2^k) and then, by `mode`, clipped to
 * ±limit or rounded half to even to a DAC code and clipped to ±limit. Writes the float32 inputs to `dst`
 * (count × rows) and Σ_i v_i² rowWeight_i (float32 weights, summed in four float32 lanes i mod 4, then lanes
 * (0 + 1) + (2 + 3), then the rows past the last multiple of four) of each read to float32 `power[v]`.
 */
export function analogPrepare (
  x: usize, rows: i32, count: i32, index: usize, levels: usize, scales: usize, inputScale: f64, mode: i32, limit: f64,
  rowWeight: usize, dst: usize, power: usize
): void {
  const rowBytes = <usize>rows << 2
  for (let v = 0; v < count; v++) {
    const b = load<i32>(index + (<usize>v << 2))
    const s = inputFactor(inputScale, scales, b, load<i32>(levels + (<usize>v << 2)))
    const sum = prepareOne(x + <usize>b * rowBytes, rows, s, mode, <f32>limit, rowWeight, dst + <usize>v * rowBytes)
    store<f32>(power + (<usize>v << 2), sum)
  }
}

// SIMD clamps and maxima below use pmin/pmax, which x86 runs as one instruction where min/max take several
// (NaN and ±0 ordering); their operands are finite here and agree with min/max on them, as the scalar tails do.

/**
 * Outputs of `count` reads: read v belongs to input vector b = index[v] at level k = levels[v] and its kernel
 * sums are y[v·cols …]. In float32: adds σ·z with σ = √(power[v]·colVar[j] + outVar) (read noise when `readOn`
 * and power > 0, else √outVar alone) and z the normal of (b, k, j), rounds half to even to multiples of
 * `adcStep` (0 = no ADC), clips to ±bound (0 = unbounded) and writes value · (scales[b]·outScale·2^k) to
 * out[b·cols + j]. `z` is scratch for `cols` floats rounded up to a multiple of four. Sets clipped[v] to 1 when some output exceeded the bound
 * (0 otherwise), writes the largest |kernel sum| of the read to float32 maxAbs[v] and its column (the lowest
 * of equal ones) to int32 argMax[v], and returns how many reads clipped.
 */
export function analogFinalize (
  y: usize, cols: i32, count: i32, index: usize, levels: usize, power: usize, colVar: usize, outVar: f64, readOn: i32,
  adcStep: f64, bound: f64, keyLo: u32, keyHi: u32, scales: usize, outScale: f64, out: usize, clipped: usize, z: usize,
  maxAbs: usize, argMax: usize
): i32 {
  const key = callKey(keyLo, keyHi)
  const wide = cols & ~3
  const ov = <f32>outVar
  const ov4 = f32x4.splat(ov)
  const outNoise = <f32>Math.sqrt(outVar)
  const noise4 = f32x4.splat(outNoise)
  const step = <f32>adcStep
  const step4 = f32x4.splat(step)
  const adcOn = adcStep > 0
  const bnd = <f32>bound
  const bound4 = f32x4.splat(bnd)
  const negBound4 = f32x4.splat(-bnd)
  const boundOn = bound > 0
  const four = v128.load(STEP_CONSTANTS, 64)
  let clippedCount = 0
  for (let v = 0; v < count; v++) {
    const b = load<i32>(index + (<usize>v << 2))
    const level = load<i32>(levels + (<usize>v << 2))
    const p = load<f32>(power + (<usize>v << 2))
    const read = readOn != 0 && p > 0
    const noisy = read || outVar > 0
    if (noisy) fillNormals(readSeed(key, b, level), cols, z)
    const p4 = f32x4.splat(p)
    const scale = <f32>(<f64>load<f32>(scales + (<usize>b << 2)) * outScale * <f64>(1 << level))
    const scale4 = f32x4.splat(scale)
    let src = y + <usize>v * (<usize>cols << 2)
    let dst = out + <usize>b * (<usize>cols << 2)
    let zp = z
    let cv = colVar
    let hit4 = v128.splat<i32>(0)
    let max4 = f32x4.splat(-1)
    let arg4 = v128.splat<i32>(0)
    let col4 = v128.load(STEP_CONSTANTS, 48)
    const end4 = src + (<usize>wide << 2)
    while (src < end4) {
      let value = v128.load(src)
      const magnitude = f32x4.abs(value)
      const larger = f32x4.gt(magnitude, max4)
      max4 = v128.bitselect(magnitude, max4, larger)
      arg4 = v128.bitselect(col4, arg4, larger)
      col4 = i32x4.add(col4, four)
      if (noisy) {
        const sigma = read ? f32x4.sqrt(f32x4.add(f32x4.mul(p4, v128.load(cv)), ov4)) : noise4
        value = f32x4.add(value, f32x4.mul(sigma, v128.load(zp)))
      }
      if (adcOn) value = f32x4.mul(f32x4.nearest(f32x4.div(value, step4)), step4)
      if (boundOn) {
        hit4 = v128.or(hit4, v128.or(f32x4.gt(value, bound4), f32x4.lt(value, negBound4)))
        value = f32x4.pmin(f32x4.pmax(value, negBound4), bound4)
      }
      v128.store(dst, f32x4.mul(value, scale4))
      src += 16
      dst += 16
      zp += 16
      cv += 16
    }
    let hit = v128.any_true(hit4)
    let largest: f32 = -1
    let arg = 0
    for (let lane = 0; lane < 4 && lane < wide; lane++) {
      v128.store(LANES, max4)
      const m = load<f32>(LANES + (<usize>lane << 2))
      v128.store(LANES, arg4)
      const at = load<i32>(LANES + (<usize>lane << 2))
      if (m > largest || (m == largest && at < arg)) { largest = m; arg = at }
    }
    let col = wide
    const end = src + (<usize>(cols - wide) << 2)
    while (src < end) {
      let value = load<f32>(src)
      if (abs(value) > largest) { largest = abs(value); arg = col }
      col++
      if (noisy) {
        const sigma = read ? Mathf.sqrt(p * load<f32>(cv) + ov) : outNoise
        value += sigma * load<f32>(zp)
      }
      if (adcOn) value = nearest(value / step) * step
      if (boundOn) {
        if (value > bnd) { value = bnd; hit = true } else if (value < -bnd) { value = -bnd; hit = true }
      }
      store<f32>(dst, value * scale)
      src += 4
      dst += 4
      zp += 4
      cv += 4
    }
    store<i32>(clipped + (<usize>v << 2), hit ? 1 : 0)
    store<f32>(maxAbs + (<usize>v << 2), largest)
    store<i32>(argMax + (<usize>v << 2), arg)
    if (hit) clippedCount++
  }
  return clippedCount
}


/** Columns per packed kernel panel and bytes per panel row (assembly/kernel.ts's layout). */
const PANEL_COLS: i32 = 8
const PANEL_ROW_BYTES: usize = 32

/**
 * Whether the read of input vector b at `level` clips at column `col`, evaluated exactly as a full read would:
 * the same inputs and power (`prepareOne`, into `codes`, scratch for `rows` floats), the column's kernel sum in
 * float32 over the rows in ascending order from the packed matrix (the kernel's documented arithmetic, bit for
 * bit), the same normal (`z` is scratch for the read's random words), noise, ADC and bound. Returns 1 when it
 * exceeds the bound, else 0: a 1 proves the full read clips; a 0 proves nothing.
 */
export function analogProbe (
  packed: usize, rows: i32, x: usize, b: i32, level: i32, scales: usize, inputScale: f64, mode: i32, limit: f64,
  rowWeight: usize, codes: usize, col: i32, colVar: usize, outVar: f64, readOn: i32, adcStep: f64, bound: f64,
  keyLo: u32, keyHi: u32, z: usize
): i32 {
  const s = inputFactor(inputScale, scales, b, level)
  const p = prepareOne(x + <usize>b * (<usize>rows << 2), rows, s, mode, <f32>limit, rowWeight, codes)
  let g = packed + <usize>(col / PANEL_COLS) * (<usize>rows * PANEL_ROW_BYTES) + (<usize>(col % PANEL_COLS) << 2)
  let xp = codes
  const end = codes + (<usize>rows << 2)
  let value: f32 = 0
  while (xp < end) {
    value = value + load<f32>(xp) * load<f32>(g)
    xp += 4
    g += PANEL_ROW_BYTES
  }
  const read = readOn != 0 && p > 0
  if (read || outVar > 0) {
    const seed = readSeed(callKey(keyLo, keyHi), b, level)
    fillBits(seed, col + 1, z)
    const sigma = read ? Mathf.sqrt(p * load<f32>(colVar + (<usize>col << 2)) + <f32>outVar) : <f32>Math.sqrt(outVar)
    value += sigma * normalAt(seed, col, load<i32>(z + (<usize>col << 2)))
  }
  if (adcStep > 0) value = nearest(value / <f32>adcStep) * <f32>adcStep
  return bound > 0 && (value > <f32>bound || value < -<f32>bound) ? 1 : 0
}
