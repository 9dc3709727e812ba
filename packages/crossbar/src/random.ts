/**
 * Seeded pseudo-random numbers. Everything random in tessera takes a seed so that a run repeated with the same
 * seed gives the same result; `Math.random` is never used.
 *
 * The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32 so that nearby seeds give
 * unrelated streams. Normal deviates use the Box–Muller transform (both values of each pair are used).
 */

/** A seeded random source. */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextUint32 (): number
  /** Uniform in [0, 1). */
  nextFloat (): number
  /** Standard normal N(0, 1). */
  nextNormal (): number
  /** Uniform integer in [0, n). */
  nextInt (n: number): number
  /** A new independent generator derived from this one's stream (for splitting work deterministically). */
  fork (): Rng
}

function splitmix32 (state: number): () => number {
  let s = state >>> 0
  return () => {
    s = (s + 0x9e3779b9) >>> 0
    let z = s
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
    return (z ^ (z >>> 16)) >>> 0
  }
}

const TWO_POW_32 = 4294967296

/**
 * Creates a seeded generator. Seeds are mixed as 32-bit integers; a seed may be any finite number or a string
 * (hashed with FNV-1a), so callers can derive sub-seeds like `${seed}/tile/3`.
 */
export function createRng (seed: number | string): Rng {
  const seed32 = typeof seed === 'string' ? hashString(seed) : (Math.trunc(seed) >>> 0) ^ Math.trunc(seed / TWO_POW_32)
  const init = splitmix32(seed32)
  let s0 = init(); let s1 = init(); let s2 = init(); let s3 = init()
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1
  let spareNormal: number | undefined

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0
    const t = (s1 << 9) >>> 0
    s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
    s2 = (s2 ^ t) >>> 0
    s3 = rotl(s3, 11)
    return result
  }
  const nextFloat = (): number => nextUint32() / TWO_POW_32
  return {
    nextUint32,
    nextFloat,
    nextNormal () {
      if (spareNormal !== undefined) {
        const value = spareNormal
        spareNormal = undefined
        return value
      }
      // 1 - u keeps the logarithm's argument in (0, 1].
      const radius = Math.sqrt(-2 * Math.log(1 - nextFloat()))
      const angle = 2 * Math.PI * nextFloat()
      spareNormal = radius * Math.sin(angle)
      return radius * Math.cos(angle)
    },
    nextInt (n: number) {
      return Math.floor(nextFloat() * n)
    },
    fork () {
      return createRng(nextUint32() * TWO_POW_32 + nextUint32())
    }
  }
}

function rotl (x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0
}

/** FNV-1a hash of a string to 32 bits. */
export function hashString (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h >>> 0
}
