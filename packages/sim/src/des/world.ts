/**
 * The simulated world one run shares: the clock and event queue, the modelled peers, the network model, the
 * run's random streams (one per concern, all derived from the seed, so adding draws to one concern does not shift
 * another's), and who is told when a peer leaves.
 */
import { createRng } from '@tessera/crossbar'
import { DEFAULT_RECORD_FIRST_REFRESH_MS, DEFAULT_RECORD_REFRESH_MS, DEFAULT_RECORD_TTL_MS } from '@tessera/peer'
import type { Rng } from '@tessera/crossbar'
import { EventQueue } from './event-queue.js'
import type { NetworkModel } from './network-model.js'
import { ModelledPeer } from './peer-model.js'
import type { DesPeerSpec } from './peer-model.js'

/** A capacity record's lifetime from issue (the peer's). */
export const RECORD_LIFETIME_MS = DEFAULT_RECORD_TTL_MS

/**
 * The last publication at or before `atMs` of a peer first published at `firstMs`: the capacity publisher
 * publishes at start, then after 20 s, each later delay doubling up to the 60 s refresh period
 * (packages/peer/src/constants.ts).
 */
export function lastPublicationMs (firstMs: number, atMs: number): number {
  let t = firstMs
  let step = DEFAULT_RECORD_FIRST_REFRESH_MS
  while (t + step <= atMs) {
    t += step
    step = Math.min(step * 2, DEFAULT_RECORD_REFRESH_MS)
  }
  return t
}

/** The world of one simulated run. */
export class DesWorld {
  readonly queue = new EventQueue()
  readonly network: NetworkModel
  readonly seed: string
  /** Peers by peer id (departed ones stay, with `alive` false). */
  readonly peers = new Map<string, ModelledPeer>()
  /** When each peer's record became readable by discovery (its join plus the publication delay), ms. */
  readonly visibleFromMs = new Map<string, number>()
  /** When each departed peer's last record expires (it is still found until then), ms. */
  readonly recordExpiresAtMs = new Map<string, number>()
  /**
   * When the shared event loop is next free, ms: the stack work of every call on a loop of the network model's
   * `sharedEventLoop`, and the work of record publications (`occupyLoop`) on any loopback harness.
   */
  private loopFreeAtMs = 0
  /** Whether anything can hold up the event loop (a shared loop, or publications on it): else `onLoop` is direct. */
  readonly loopCanStall: boolean
  private readonly leaveListeners: Array<(peerId: string) => void> = []
  private readonly streams = new Map<string, Rng>()

  constructor (seed: string, network: NetworkModel) {
    this.seed = seed
    this.network = network
    this.loopCanStall = network.sharedEventLoop === true || (network.publicationWorkMs ?? 0) > 0
  }

  /** Work of `workMs` the event loop does besides the calls (a node's record publication): it waits for nothing. */
  occupyLoop (workMs: number): void {
    this.loopFreeAtMs = Math.max(this.nowMs, this.loopFreeAtMs) + workMs
  }

  /**
   * Runs `action`, a task of the event loop (a message arriving, a timer firing), once the loop is free of the
   * work queued on it: at once when nothing holds it up. Tasks held up run in the order they came.
   */
  onLoop (action: () => void): void {
    if (this.nowMs >= this.loopFreeAtMs) {
      action()
      return
    }
    this.queue.at(this.loopFreeAtMs, () => { this.onLoop(action) })
  }

  get nowMs (): number {
    return this.queue.nowMs
  }

  /**
   * Runs `action` once `workMs` of stack work is done: at once after `workMs` on a host of its own, or after the
   * shared event loop has finished the work queued before it (first come, first served).
   */
  stackWork (workMs: number, action: () => void): void {
    if (this.network.sharedEventLoop !== true) {
      this.queue.after(workMs, action)
      return
    }
    const start = Math.max(this.nowMs, this.loopFreeAtMs)
    this.loopFreeAtMs = start + workMs
    this.queue.at(this.loopFreeAtMs, action)
  }

  /** The random stream of one concern (`placement`, `liars`, `churn`, …), created from the seed on first use. */
  rng (concern: string): Rng {
    let r = this.streams.get(concern)
    if (r === undefined) {
      r = createRng(`${this.seed}/des/${concern}`)
      this.streams.set(concern, r)
    }
    return r
  }

  /** Adds a peer (not yet started). */
  addPeer (spec: DesPeerSpec): ModelledPeer {
    const liars = this.rng(`liar/${spec.peerId}`)
    const peer = new ModelledPeer(spec, { now: () => this.queue.nowMs, schedule: (d, a) => { this.queue.after(d, a) } }, () => liars.nextFloat())
    this.peers.set(spec.peerId, peer)
    return peer
  }

  /** The peer starts; its record is readable `publishDelayMs` later (at once when `published`). */
  start (peerId: string, published = false): void {
    const peer = this.peers.get(peerId)
    if (peer === undefined || peer.alive) return
    peer.alive = true
    this.visibleFromMs.set(peerId, this.nowMs + (published ? 0 : this.network.publishDelayMs))
  }

  /** The peer leaves: its work and copies are gone; listeners (coordinators) are told. */
  leave (peerId: string): void {
    const peer = this.peers.get(peerId)
    if (peer === undefined || !peer.alive) return
    peer.leave()
    const visible = this.visibleFromMs.get(peerId)
    if (visible !== undefined) this.recordExpiresAtMs.set(peerId, lastPublicationMs(visible, this.nowMs) + RECORD_LIFETIME_MS)
    for (const l of this.leaveListeners) l(peerId)
  }

  /** Peers whose record discovery reads now: published and not expired (a departed peer's until its last expires). */
  discoverable (): string[] {
    const out: string[] = []
    const nowMs = this.nowMs
    for (const [peerId, fromMs] of this.visibleFromMs) {
      if (fromMs > nowMs) continue
      const expires = this.recordExpiresAtMs.get(peerId)
      if (expires !== undefined && expires <= nowMs) continue
      out.push(peerId)
    }
    return out
  }

  onLeave (listener: (peerId: string) => void): void {
    this.leaveListeners.push(listener)
  }
}
