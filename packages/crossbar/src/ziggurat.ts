/**
 * Standard-normal deviates by the ziggurat method of Marsaglia & Tsang ("The ziggurat method for generating
 * random variables", J. Stat. Softw. 5(8), 2000), 128 layers. About 99 % of draws cost one integer, one
 * multiply and one compare, against a logarithm, a square root and a sine or cosine per pair for Box–Muller;
 * the crossbar's noise path draws one deviate per output of every MVM. The few slow-path draws use
 * `Math.exp`/`Math.log`, so results are as reproducible as Box–Muller's.
 */
const LAYERS = 128
/** Start of the tail (x of the base layer's right edge). */
const TAIL_START = 3.442619855899
/** Area of each layer. */
const LAYER_AREA = 9.91256303526217e-3
const TWO_POW_31 = 2147483648
const TWO_POW_32 = 4294967296

const kn = new Uint32Array(LAYERS)
const wn = new Float64Array(LAYERS)
const fn = new Float64Array(LAYERS)

{
  let dn = TAIL_START
  let tn = dn
  const q = LAYER_AREA / Math.exp(-0.5 * dn * dn)
  kn[0] = Math.floor((dn / q) * TWO_POW_31)
  kn[1] = 0
  wn[0] = q / TWO_POW_31
  wn[LAYERS - 1] = dn / TWO_POW_31
  fn[0] = 1
  fn[LAYERS - 1] = Math.exp(-0.5 * dn * dn)
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(LAYER_AREA / dn + Math.exp(-0.5 * dn * dn)))
    kn[i + 1] = Math.floor((dn / tn) * TWO_POW_31)
    tn = dn
    fn[i] = Math.exp(-0.5 * dn * dn)
    wn[i] = dn / TWO_POW_31
  }
}

/** Draws one N(0, 1) deviate from a stream of uniform 32-bit integers. */
export function zigguratNormal (nextUint32: () => number): number {
  const hz = nextUint32() | 0
  const iz = hz & (LAYERS - 1)
  return Math.abs(hz) < kn[iz] ? hz * wn[iz] : slowPath(hz, nextUint32)
}

function slowPath (first: number, nextUint32: () => number): number {
  /** Uniform in (0, 1), never 0, so its logarithm is finite. */
  const open = (): number => (nextUint32() + 0.5) / TWO_POW_32
  let hz = first
  for (;;) {
    const iz = hz & (LAYERS - 1)
    const x = hz * wn[iz]
    if (iz === 0) {
      // Tail beyond TAIL_START: Marsaglia's exponential rejection.
      let tail: number
      let y: number
      do {
        tail = -Math.log(open()) / TAIL_START
        y = -Math.log(open())
      } while (y + y < tail * tail)
      return hz > 0 ? TAIL_START + tail : -TAIL_START - tail
    }
    if (fn[iz] + open() * (fn[iz - 1] - fn[iz]) < Math.exp(-0.5 * x * x)) return x
    hz = nextUint32() | 0
    const next = hz & (LAYERS - 1)
    if (Math.abs(hz) < kn[next]) return hz * wn[next]
  }
}
