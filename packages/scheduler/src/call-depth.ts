/**
 * What a coordinator's call depth on a path costs: a coordinator keeps at most `callSlots` shard calls outstanding
 * on a peer (fewer on a relayed path, where the relay carries every stream), and each call holds its slot for the
 * round trip as well as the compute. A peer whose round trip is long against its calls cannot be kept busy by a
 * few slots: with s slots, r ms of each call on the path (round trip and transfer) and c ms on the device, its
 * device computes at most s·c of every r + c ms. Routing and speed-proportional replication both read this, so
 * that a fast peer behind a slow path is neither sent more calls than its slots can carry nor given copies for
 * work it cannot reach.
 *
 * ```
 * busy fraction     = min(1, s · c / (r + c))                                      (1 without a slot limit)
 * completion of the (p + 1)-th call outstanding on the peer
 *                   = max(r + (p + 1) · c,  ⌈(p + 1) / s⌉ · (r + c))              device-bound | slot-bound
 * ```
 * Pure functions.
 */
import type { PeerView } from './types.js'

/** Fraction 0 … 1 of the time a peer's device can compute calls of `callMs` each, with `pathMs` of each call on the path. */
export function pathBusyFraction (peer: Pick<PeerView, 'callSlots'>, pathMs: number, callMs: number): number {
  const slots = peer.callSlots
  if (slots === undefined || !(callMs > 0)) return 1
  return Math.min(1, (slots * callMs) / (Math.max(0, pathMs) + callMs))
}

/**
 * Expected time until a new call on `peer` completes, ms: `pathMs` on the path (round trip and transfer), `pending`
 * of this coordinator's calls already outstanding there (in flight or waiting for a slot), every call taking
 * `computeMs` on the device — the larger of the device's queue and the slots' turns (see the module comment).
 */
export function expectedCompletionMs (peer: Pick<PeerView, 'callSlots'>, pathMs: number, computeMs: number, pending: number): number {
  const path = Math.max(0, pathMs)
  const ahead = Math.max(0, pending)
  const deviceBound = path + (ahead + 1) * computeMs
  const slots = peer.callSlots
  if (slots === undefined) return deviceBound
  return Math.max(deviceBound, Math.ceil((ahead + 1) / slots) * (path + computeMs))
}
