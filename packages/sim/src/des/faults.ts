/**
 * Faults as data: what the simulator does to the modelled network and when. A scenario's timeline becomes faults
 * (`slowdown`, `leave`, `join`, `hotspot`, with the same node selectors); more can be given: peers that answer
 * wrongly (`liar`), and seeded churn (`churn`: departures at a rate per simulated minute, each replaced by a new
 * volunteer). Four bug-like faults make the model misbehave on purpose so that tests see the invariant checker
 * catch each: a reservation that skips the capacity check, an answer recorded twice, an answer dropped, a release
 * of a shard's last active copy.
 */
import type { NodeSelector, ScenarioEvent } from '../scenario.js'
import { InvalidDesOptionError } from './errors.js'

/** One fault. `atMs` is after the stream's start. */
export type DesFault =
  | ScenarioEvent
  | { atMs: number, kind: 'liar', nodes: NodeSelector, wrongFraction: number, relativeError: number }
  /** From `atMs` to `untilMs`, `fractionPerMinute` of the live peers leave per simulated minute, each replaced. */
  | { atMs: number, kind: 'churn', untilMs: number, fractionPerMinute: number }
  | { atMs: number, kind: 'bug', bug: 'overcommit-tiles' | 'duplicate-answer' | 'drop-answer' | 'release-last-copy' }

const BUGS = ['overcommit-tiles', 'duplicate-answer', 'drop-answer', 'release-last-copy']

/** Checks faults given as data; throws {@link InvalidDesOptionError} naming the first bad one. */
export function validateFaults (value: unknown): DesFault[] {
  if (!Array.isArray(value)) throw new InvalidDesOptionError('faults must be a list')
  return value.map((f: DesFault, i) => {
    const what = `faults[${i}]`
    if (typeof f !== 'object' || f === null || !(Number.isFinite(f.atMs) && f.atMs >= 0)) throw new InvalidDesOptionError(`${what}: atMs must be a non-negative number`)
    switch (f.kind) {
      case 'liar':
        if (!(f.wrongFraction >= 0 && f.wrongFraction <= 1)) throw new InvalidDesOptionError(`${what}: wrongFraction must be in [0, 1]`)
        if (!(f.relativeError >= 0)) throw new InvalidDesOptionError(`${what}: relativeError must be non-negative`)
        break
      case 'churn':
        if (!(f.untilMs > f.atMs)) throw new InvalidDesOptionError(`${what}: untilMs must be after atMs`)
        if (!(f.fractionPerMinute > 0 && f.fractionPerMinute < 1)) throw new InvalidDesOptionError(`${what}: fractionPerMinute must be in (0, 1)`)
        break
      case 'bug':
        if (!BUGS.includes(f.bug)) throw new InvalidDesOptionError(`${what}: bug must be one of ${BUGS.join(', ')}`)
        break
      case 'slowdown': case 'leave': case 'join': case 'hotspot':
        break
      default: throw new InvalidDesOptionError(`${what}: unknown kind ${JSON.stringify((f as { kind?: unknown }).kind)}`)
    }
    return f
  })
}

/** The first fault that takes capacity away or adds load (recovery is measured from it), as `disruptionOf`. */
export function isDisruptive (f: DesFault): boolean {
  return f.kind === 'slowdown' || f.kind === 'leave' || f.kind === 'hotspot'
}
