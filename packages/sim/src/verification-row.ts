/**
 * The verification figures of a simulation row (docs/metrics.md), pure over a run's facts so that tests can check
 * them on made-up runs:
 *
 * - cheaters: nodes that lie in the run's network (the scenario's `lie` nodes; none in an honest network);
 * - cheatersDetected: cheaters verification flagged;
 * - detectionMsP50: median over detected cheaters of flag time − first lie (a speed claim is told before the run:
 *   it counts from the stream's start); null when none was detected;
 * - falseAlarms: honest nodes flagged;
 * - wrongAnswers: requests answered in both runs whose predicted class differs from the reference run's (the same
 *   scenario and seed with every node honest);
 * - verificationOverhead: 1 − steady throughput with verification ÷ without (same scenario), the steady phase
 *   being the second half of the scheduled stream.
 */
import type { FlaggedPeer } from '@tessera/coordinator'
import type { LieLog } from './liars.js'

/** What the detection figures are computed from. */
export interface DetectionFacts {
  /** Scenario node id of each node that lies in this network → its log of the first lie. */
  lieLogs: ReadonlyMap<string, LieLog>
  /** Peers verification flagged; undefined when it was off. */
  flagged: readonly FlaggedPeer[] | undefined
  /** Scenario node id of a peer id. */
  nodeIdOf: (peerId: string) => string | undefined
  /** First batch sent, ms (coordinator clock). */
  startMs: number
}

/** Detection figures of one run (null where verification was off). */
export interface DetectionFigures {
  cheaters: number
  cheatersDetected: number | null
  detectionMsP50: number | null
  falseAlarms: number | null
  /** Distinct peers flagged, cheaters and honest (null: verification off). */
  flagged: number | null
}

/** Median (lower middle for an even count) of `values`; null when empty. */
export function medianOf (values: readonly number[]): number | null {
  if (values.length === 0) return null
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.ceil(sorted.length / 2) - 1]
}

/** Cheaters, detections, detection time and false alarms of a run (see the module comment). */
export function detectionOf (facts: DetectionFacts): DetectionFigures {
  const cheaters = facts.lieLogs.size
  if (facts.flagged === undefined) return { cheaters, cheatersDetected: null, detectionMsP50: null, falseAlarms: null, flagged: null }
  const detectionMs: number[] = []
  let falseAlarms = 0
  const seen = new Set<string>()
  for (const flag of facts.flagged) {
    // A peer can be flagged twice (an over-claimer later caught lying): its first flag counts.
    if (seen.has(flag.peerId)) continue
    seen.add(flag.peerId)
    const nodeId = facts.nodeIdOf(flag.peerId)
    const log = nodeId === undefined ? undefined : facts.lieLogs.get(nodeId)
    if (log === undefined) {
      falseAlarms++
      continue
    }
    detectionMs.push(Math.max(0, flag.atMs - (log.firstLieAtMs ?? facts.startMs)))
  }
  return { cheaters, cheatersDetected: detectionMs.length, detectionMsP50: medianOf(detectionMs), falseAlarms, flagged: seen.size }
}

/** Per-request answers of a run: answers per request and the class predicted at the first answer. */
export interface RequestAnswers {
  answers: Uint8Array
  predictions: Uint8Array
}

/** Requests answered in both runs whose predicted class differs from the reference's. */
export function wrongAnswersOf (run: RequestAnswers, reference: RequestAnswers): number {
  const n = Math.min(run.answers.length, reference.answers.length)
  let wrong = 0
  for (let i = 0; i < n; i++) {
    if (run.answers[i] > 0 && reference.answers[i] > 0 && run.predictions[i] !== reference.predictions[i]) wrong++
  }
  return wrong
}

/** Answers per second over the second half of the scheduled stream [start, plannedEnd). */
export function steadyThroughputRps (answeredAtMs: readonly number[], startMs: number, plannedEndMs: number): number {
  const fromMs = startMs + (plannedEndMs - startMs) / 2
  if (!(plannedEndMs > fromMs)) return 0
  let answered = 0
  for (const t of answeredAtMs) if (t >= fromMs && t < plannedEndMs) answered++
  return answered / ((plannedEndMs - fromMs) / 1000)
}

/** 1 − steady throughput with verification ÷ without; null when the run without answered nothing in its steady phase. */
export function verificationOverheadOf (verifiedRps: number, unverifiedRps: number): number | null {
  return unverifiedRps > 0 ? 1 - verifiedRps / unverifiedRps : null
}
