/**
 * Leaving the network cleanly: the node refuses new uploads and executes, tells coordinators it is leaving (a
 * capacity record with `leaving: true`, and `LEAVING` replies to new calls), lets the calls in flight finish within a
 * bound, then stops; stopping closes its connections, which releases its relay reservations (circuit relay v2 has
 * no message to give one back).
 */
import { logger } from '@libp2p/logger'
import type { PublishResult } from './capacity-publisher.js'

const log = logger('tessera:peer:leave')

/** Default bound on the wait for calls in flight (and for the leaving record's publication). */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000

export interface LeaveOptions {
  /** How long calls in flight may take to finish before the node stops anyway (default 10 s). */
  drainTimeoutMs?: number
}

/** What leaving did. */
export interface LeaveResult {
  /** Every shard stream finished within the bound. */
  drained: boolean
  /** The leaving record as published (absent when it could not be published in time, or on a client-only node). */
  published?: PublishResult
}

/** The parts of a node that leaving drives. */
export interface LeavingNode {
  /** Makes the capacity snapshot say `leaving` and the shard service refuse new uploads and executes. */
  startLeaving(): void
  /** Resolves to whether every shard stream finished within `timeoutMs`. */
  drained(timeoutMs: number): Promise<boolean>
  /** Publishes a record built after the call (absent on a client-only node). */
  publish?: () => Promise<PublishResult>
  stop(): Promise<void>
}

/** Leaves: refuse, announce and drain side by side (each bounded), then stop. */
export async function leaveGracefully (node: LeavingNode, options: LeaveOptions = {}): Promise<LeaveResult> {
  const drainTimeoutMs = options.drainTimeoutMs ?? DEFAULT_DRAIN_TIMEOUT_MS
  node.startLeaving()
  const publication = node.publish === undefined ? Promise.resolve(undefined) : bounded(node.publish(), drainTimeoutMs)
  const [drained, published] = await Promise.all([node.drained(drainTimeoutMs), publication])
  if (!drained) log('calls still in flight after %d ms: stopping anyway', drainTimeoutMs)
  await node.stop()
  return { drained, ...(published !== undefined ? { published } : {}) }
}

/** The publication's result, or undefined when it fails or takes longer than `timeoutMs` (the node leaves anyway). */
async function bounded (publication: Promise<PublishResult>, timeoutMs: number): Promise<PublishResult | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined
  try {
    return await Promise.race([
      publication,
      new Promise<undefined>((resolve) => { timer = setTimeout(() => { resolve(undefined) }, timeoutMs) })
    ])
  } catch (err) {
    log.error('publishing the leaving record failed - %e', err)
    return undefined
  } finally {
    clearTimeout(timer)
  }
}
