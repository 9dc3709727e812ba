/**
 * The lies of the `liars` scenario, turned into the peer's fault-injection hook (peer/misbehaviour.ts). Each lie
 * is seeded by the scenario seed and the node id, so a run's lies repeat. A liar also records when it first
 * lied, the start of its detection time.
 */
import { createRng } from '@tessera/crossbar'
import type { AnswerToTamper, Misbehaviour, TamperVerdict } from '@tessera/peer'

/** How a scenario node lies. */
export type Lie =
  /** Adds Gaussian noise of `relative` × the RMS of each answer (0.25: small, 2: large). */
  | { kind: 'perturb', relative: number }
  /** Answers as if it held other weights: each output replaced by a fixed seeded mix of the batch's outputs. */
  | { kind: 'other-weights' }
  /** Drops this fraction of its calls (answers them with an internal error). */
  | { kind: 'drop', fraction: number }
  /** Claims `factor` × its throughput in its capacity record. */
  | { kind: 'overclaim', factor: number }

/** A liar's record of its first lie (coordinator clock). */
export interface LieLog {
  firstLieAtMs?: number
}

function rmsOf (y: Float32Array): number {
  let ss = 0
  for (const v of y) ss += v * v
  return Math.sqrt(ss / Math.max(1, y.length))
}

/** The misbehaviour of a node that tells `lie`; `now` stamps its first lie into `log`. */
export function misbehaviourOf (lie: Lie, seed: string, now: () => number, log: LieLog): Misbehaviour {
  const rng = createRng(`${seed}/lie`)
  const lied = (): void => { log.firstLieAtMs ??= now() }
  switch (lie.kind) {
    case 'overclaim':
      return { throughputClaimFactor: lie.factor }
    case 'drop':
      return {
        answer: (call: AnswerToTamper): TamperVerdict => {
          if (rng.nextFloat() >= lie.fraction) return call.output
          lied()
          return 'drop'
        }
      }
    case 'perturb':
      return {
        answer: (call) => {
          lied()
          const scale = lie.relative * rmsOf(call.output)
          return Float32Array.from(call.output, (v) => v + scale * rng.nextNormal())
        }
      }
    case 'other-weights':
      return {
        answer: (call) => {
          lied()
          // y' = y·P for a seeded signed permutation P of the outputs: the answers of the permuted weights W·P.
          const { batch, cols, output } = call
          const perm = createRng(`${seed}/perm/${cols}`)
          const order = Array.from({ length: cols }, (_, j) => j)
          for (let j = cols - 1; j > 0; j--) {
            const k = perm.nextInt(j + 1)
            const t = order[j]
            order[j] = order[k]
            order[k] = t
          }
          const out = new Float32Array(output.length)
          for (let b = 0; b < batch; b++) {
            for (let j = 0; j < cols; j++) out[b * cols + j] = -output[b * cols + order[j]]
          }
          return out
        }
      }
  }
}
