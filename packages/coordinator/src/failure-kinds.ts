/**
 * What a failed upload or call says about the peer and the copy, read from the failure's code (the wire
 * package's error codes travel in error replies, so they survive the trip from the peer) or its class.
 */
import { errorCodeOf, hasErrorCode } from '@tessera/errors'
import { ErrorCode } from '@tessera/wire'
import { BadShardReplyError } from './errors.js'

/** Replies by which a peer refuses one upload while staying healthy. */
const REFUSAL_CODES: ReadonlySet<string> = new Set([
  ErrorCode.INSUFFICIENT_CAPACITY,
  ErrorCode.DEVICE_MISMATCH,
  ErrorCode.DUPLICATE_SHARD,
  ErrorCode.LIMITED_CONNECTION,
  // The peer's per-peer quota (tiles, uploads in progress): another peer may take the shard.
  ErrorCode.QUOTA_EXCEEDED,
  // Leaving: the peer is healthy, only takes nothing new (its copies are re-placed when a call says so).
  ErrorCode.LEAVING
])

/**
 * Whether a failed upload says the peer is gone or broken (timeout, transport error, internal error) rather than
 * refusing this shard (no capacity left, another device preset): only the former takes the peer out of the run.
 */
export function peerFailed (err: unknown): boolean {
  const code = errorCodeOf(err)
  return code === undefined || !REFUSAL_CODES.has(code)
}

/** Whether a reply says the peer is leaving the network (it drains its calls in flight, then stops). */
export function peerIsLeaving (err: unknown): boolean {
  return hasErrorCode(err, ErrorCode.LEAVING)
}

/** Whether an error says that this copy of the shard is unusable (missing on the peer, or answering garbage). */
export function copyUnusable (err: unknown): boolean {
  return hasErrorCode(err, ErrorCode.UNKNOWN_SHARD) || err instanceof BadShardReplyError
}
