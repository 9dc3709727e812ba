/**
 * The simulator's clock and event queue: a binary min-heap of events ordered by time, then by the order they
 * were scheduled (a sequence number), so that two events at the same time always run in the same order and one
 * seed gives one result. Times are simulated milliseconds from 0; nothing here reads the wall clock.
 */
import { DesClockError } from './errors.js'

/** Something to do at a simulated time. */
export type EventAction = () => void

/** A discrete-event clock with its pending events. */
export class EventQueue {
  private times: Float64Array
  private seqs: Float64Array
  private actions: Array<EventAction | undefined>
  private size = 0
  private seq = 0
  private current = 0
  /** Events run so far. */
  processed = 0

  constructor (capacity = 1024) {
    this.times = new Float64Array(capacity)
    this.seqs = new Float64Array(capacity)
    this.actions = new Array(capacity)
  }

  /** The simulated time, ms. */
  get nowMs (): number {
    return this.current
  }

  /** Events waiting. */
  get pending (): number {
    return this.size
  }

  /** Runs `action` `delayMs` from now (≥ 0). */
  after (delayMs: number, action: EventAction): void {
    this.at(this.current + Math.max(0, delayMs), action)
  }

  /** Runs `action` at `timeMs`; throws {@link DesClockError} for a time in the past or not finite. */
  at (timeMs: number, action: EventAction): void {
    if (!(timeMs >= this.current) || !Number.isFinite(timeMs)) throw new DesClockError(`event at ${timeMs} ms is before now (${this.current} ms) or not finite`)
    if (this.size === this.times.length) this.grow()
    let i = this.size++
    const seq = this.seq++
    // Sift up.
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (this.times[parent] < timeMs || (this.times[parent] === timeMs && this.seqs[parent] < seq)) break
      this.times[i] = this.times[parent]
      this.seqs[i] = this.seqs[parent]
      this.actions[i] = this.actions[parent]
      i = parent
    }
    this.times[i] = timeMs
    this.seqs[i] = seq
    this.actions[i] = action
  }

  /** Runs events in order until none is left or the next is after `untilMs`; the clock ends at `untilMs` at most. */
  runUntil (untilMs: number, stop: () => boolean = () => false): void {
    while (this.size > 0 && this.times[0] <= untilMs && !stop()) {
      const timeMs = this.times[0]
      const action = this.pop()
      this.current = timeMs
      this.processed++
      action()
    }
    if (this.size === 0 || this.times[0] > untilMs) this.current = Math.max(this.current, Math.min(untilMs, this.size > 0 ? this.times[0] : untilMs))
  }

  private pop (): EventAction {
    const top = this.actions[0] as EventAction
    const last = --this.size
    const t = this.times[last]
    const s = this.seqs[last]
    const a = this.actions[last]
    this.actions[last] = undefined
    let i = 0
    // Sift down.
    for (;;) {
      const l = 2 * i + 1
      if (l >= last) break
      const r = l + 1
      let c = l
      if (r < last && (this.times[r] < this.times[l] || (this.times[r] === this.times[l] && this.seqs[r] < this.seqs[l]))) c = r
      if (t < this.times[c] || (t === this.times[c] && s < this.seqs[c])) break
      this.times[i] = this.times[c]
      this.seqs[i] = this.seqs[c]
      this.actions[i] = this.actions[c]
      i = c
    }
    if (last > 0) {
      this.times[i] = t
      this.seqs[i] = s
      this.actions[i] = a
    }
    return top
  }

  private grow (): void {
    const n = this.times.length * 2
    const times = new Float64Array(n)
    const seqs = new Float64Array(n)
    times.set(this.times)
    seqs.set(this.seqs)
    this.times = times
    this.seqs = seqs
    this.actions.length = n
  }
}
