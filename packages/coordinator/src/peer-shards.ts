/**
 * What a run asks of one peer's shard service: program a copy, execute a batch on it, release it. The peer
 * package's `ShardClient` is one; tests pass fakes.
 */
import type { ExecuteOptions, ProgramOptions, ProgramResult } from '@tessera/peer'
import type { ExecuteResultReply } from '@tessera/wire'

/** The shard service of one peer, as a run uses it. */
export interface PeerShards {
  program: (options: ProgramOptions) => Promise<Pick<ProgramResult, 'tilesUsed'>>
  execute: (options: ExecuteOptions) => Promise<Pick<ExecuteResultReply, 'output' | 'deviceTimeNs' | 'macs'>>
  /** Frees the copy's tiles on the peer; `signal` bounds the wait. */
  release: (shardId: string, signal?: AbortSignal) => Promise<unknown>
  /** Renews the leases of the copies named; resolves to those the peer still holds and its lease (lease-renewal.ts). */
  keepAlive?: (shardIds: string[], signal?: AbortSignal) => Promise<{ shardIds: string[], leaseMs: number }>
}
