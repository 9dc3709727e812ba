import type { PathKind } from '@tessera/scheduler'
import { RELAYED_CALLS_PER_PEER } from './constants.js'

/**
 * Shard calls a run keeps outstanding at once on a peer reached by `path`: `callsPerPeer`, and at most
 * {@link RELAYED_CALLS_PER_PEER} on a relayed path. The policy sees the figure (PeerView.callSlots): each call holds
 * its slot for the path's round trip too, which routing and replication account for (scheduler call-depth.ts).
 */
export function callSlotsFor (path: PathKind | undefined, callsPerPeer: number): number {
  return path === 'relayed' ? Math.min(RELAYED_CALLS_PER_PEER, callsPerPeer) : callsPerPeer
}

/** A counting semaphore: the call slots a run keeps per peer. */
export class Slots {
  private free: number
  private readonly waiting: Array<() => void> = []
  constructor (size: number) {
    this.free = size
  }

  async acquire (): Promise<void> {
    if (this.free > 0) {
      this.free--
      return
    }
    await new Promise<void>((resolve) => { this.waiting.push(resolve) })
  }

  /** Hands the slot to the longest waiter, or frees it. */
  release (): void {
    const next = this.waiting.shift()
    if (next !== undefined) next()
    else this.free++
  }
}
