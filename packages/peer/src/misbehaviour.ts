/**
 * FAULT INJECTION FOR SIMULATIONS ONLY. A node given a `misbehaviour` (TesseraNodeInit) lies on purpose, so the
 * coordinator's verification can be measured against peers that cheat (the `liars` scenario of `tessera sim`).
 * Nothing outside simulations and tests sets it; an honest node never has one.
 */

/** One answer a misbehaving node is about to send. */
export interface AnswerToTamper {
  /** The shard id the coordinator knows the shard by on this node (`<runId>/<shardId>`). */
  shardId: string
  noiseKey?: string
  batch: number
  cols: number
  /** The honest output, `batch × cols` (the tamper may change it in place or return another array). */
  output: Float32Array
}

/** What a tamper does with an answer: send this output instead, or drop the call (an internal error reply). */
export type TamperVerdict = Float32Array | 'drop'

/** How a node misbehaves. */
export interface Misbehaviour {
  /** Rewrites or drops an execute's answer before it is sent. */
  answer?: (call: AnswerToTamper) => TamperVerdict
  /** Multiplies the throughput the node's capacity record advertises (a claim of more speed than it has). */
  throughputClaimFactor?: number
}
