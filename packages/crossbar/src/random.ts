/**
 * Seeded pseudo-random numbers. Everything random in tessera takes a seed so that a run repeated with the same
 * seed gives the same result; `Math.random` is never used.
 *
 * The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32 so that nearby seeds give
 * unrelated streams. Its state lives in a Uint32Array: kept in closure variables, V8 boxes values above 2^31
 * as heap numbers and every draw allocates (~30 ns against ~3 ns), and the crossbar's noise path draws one
 * deviate per output of every MVM. Normal deviates use the ziggurat method (ziggurat.ts).
 */
import { zigguratNormal } from './ziggurat.js'

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

const TWO_POW_32 = 4294967296

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

/**
 * Creates a seeded generator. A seed may be any finite number (mixed as its low and high 32-bit halves) or a
 * string (hashed with FNV-1a), so callers can derive sub-seeds like `${seed}/tile/3`.
 */
export function createRng (seed: number | string): Rng {
  const seed32 = typeof seed === 'string' ? hashString(seed) : (Math.trunc(seed) >>> 0) ^ Math.trunc(seed / TWO_POW_32)
  const init = splitmix32(seed32)
  const s = new Uint32Array(4)
  for (let i = 0; i < 4; i++) s[i] = init()
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1

  const nextUint32 = (): number => {
    const s0 = s[0]
    const s1 = s[1]
    const x = Math.imul(s1, 5)
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0
    let n2 = s[2] ^ s0
    const n3 = s[3] ^ s1
    s[1] = s1 ^ n2
    s[0] = s0 ^ n3
    n2 ^= s1 << 9
    s[2] = n2
    s[3] = (n3 << 11) | (n3 >>> 21)
    return result
  }
  const nextFloat = (): number => nextUint32() / TWO_POW_32
  return {
    nextUint32,
    nextFloat,
    nextNormal: () => zigguratNormal(nextUint32),
    nextInt: (n: number) => Math.floor(nextFloat() * n),
    fork: () => createRng(`${nextUint32()}:${nextUint32()}`)
  }
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
