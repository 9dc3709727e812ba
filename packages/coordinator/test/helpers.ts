import { createRng } from '@tessera/crossbar'

/** Seeded floats in [-1, 1), from the crossbar's generator. */
export function seededFloats (n: number, seed: number | string): Float32Array {
  const rng = createRng(seed)
  return Float32Array.from({ length: n }, () => rng.nextFloat() * 2 - 1)
}
