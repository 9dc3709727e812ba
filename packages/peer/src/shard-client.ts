import { logger } from '@libp2p/logger'
import { lpStream } from '@libp2p/utils'
import {
  DEFAULT_PROGRAM_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, MAX_FRAME_SIZE_BYTES, MalformedMessageError,
  RequestTimeoutError, SHARD_PROTOCOL, UnexpectedMessageError, isProtocolError, createProgramUpload, decodeShardReply,
  encodeShardRequest, errorFromReply
} from '@tessera/wire'
import { isPeerId } from '@libp2p/interface'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { ExecuteResultReply, ProgramUploadInit, ShardReply, ShardRequest, StatusReply } from '@tessera/wire'

const log = logger('tessera:peer:shard-client')

export interface ShardClientInit {
  /** Timeout of a status, release or execute exchange (default DEFAULT_REQUEST_TIMEOUT_MS). */
  timeoutMs?: number
  /** Timeout of a whole program upload (default DEFAULT_PROGRAM_TIMEOUT_MS). */
  programTimeoutMs?: number
}

/** What to program: the wire package's upload description, plus progress and cancellation. */
export interface ProgramOptions extends ProgramUploadInit {
  /** Called after each chunk is handed to the stream. */
  onProgress?(sentBytes: number, totalBytes: number): void
  signal?: AbortSignal
}

export interface ProgramResult {
  tilesReserved: number
  tilesUsed: number
}

/** A run of executes on one stream, from {@link ShardClient.openExecuteSession}. */
export interface ExecuteSession {
  execute(options: Omit<ExecuteOptions, 'signal'>): Promise<ExecuteResultReply>
  /** Waits for calls in progress, then closes the stream. */
  close(): Promise<void>
}

export interface ExecuteOptions {
  shardId: string
  /** `batch × rows`, row-major. */
  input: Float32Array
  batch: number
  tSeconds?: number
  driftCompensation?: boolean
  /**
   * Names the call's read noise: the same key on a shard programmed with the same seed gives the same outputs
   * whatever other calls the node runs before it (retries and replicas included). Absent: the node's blocks draw
   * from their own generators, so outputs depend on the order calls arrive in.
   */
  noiseKey?: number | string
  signal?: AbortSignal
}

/**
 * Client of a peer's `/tessera/shard/1.0.0` service. Every exchange opens its own stream, runs under a timeout and
 * ends with the stream closed; an error reply is thrown as the wire package's named error (`UnknownShardError`,
 * `BusyError`, `InsufficientCapacityError`…), a timeout as `RequestTimeoutError`.
 *
 * @example
 * ```ts
 * const client = new ShardClient(node.libp2p, peerId)
 * await client.program({ shardId: 'fc1/0/0', weights, rows: 256, cols: 256, seed: 7 })
 * const { output } = await client.execute({ shardId: 'fc1/0/0', input, batch: 64 })
 * await client.release('fc1/0/0')
 * ```
 */
export class ShardClient {
  private readonly node: Libp2p
  private readonly peer: PeerId | Multiaddr | Multiaddr[]
  private readonly timeoutMs: number
  private readonly programTimeoutMs: number
  private nextRequestId = 1

  constructor (node: Libp2p, peer: PeerId | Multiaddr | Multiaddr[], init: ShardClientInit = {}) {
    this.node = node
    this.peer = peer
    this.timeoutMs = init.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS
    this.programTimeoutMs = init.programTimeoutMs ?? DEFAULT_PROGRAM_TIMEOUT_MS
  }

  /** Uploads a block in chunks; resolves once the peer has programmed it. */
  async program (options: ProgramOptions): Promise<ProgramResult> {
    const upload = createProgramUpload({
      shardId: options.shardId,
      weights: options.weights,
      rows: options.rows,
      cols: options.cols,
      seed: options.seed,
      devicePreset: options.devicePreset,
      tSeconds: options.tSeconds,
      chunkSizeBytes: options.chunkSizeBytes
    })
    const totalBytes = options.weights.byteLength
    return await this.exchange(this.programTimeoutMs, options.signal, async (lp, signal) => {
      await lp.write(encodeShardRequest(upload.begin), { signal })
      const ready = expect(await this.readReply(lp, signal), 'program-ready')
      // The next reply is read while the chunks go out: a node that rejects a chunk answers (and stops reading) at
      // once, and its typed error explains a failed write better than the write error itself.
      const reply = this.readReply(lp, signal)
      // Awaited below on every path; this only keeps a rejection that arrives mid-upload from counting as unhandled.
      reply.catch(() => {})
      let sent = 0
      try {
        for (const chunk of upload.chunks) {
          await lp.write(encodeShardRequest(chunk), { signal })
          sent += chunk.data.byteLength
          options.onProgress?.(sent, totalBytes)
        }
        await lp.write(encodeShardRequest(upload.commit), { signal })
      } catch (err) {
        const early = await reply.then(() => undefined, (e: unknown) => e)
        throw isProtocolError(early) ? early : err
      }
      const committed = expect(await reply, 'program-committed')
      return { tilesReserved: ready.tilesReserved, tilesUsed: committed.tilesUsed }
    })
  }

  /** Runs one batch through a shard held by the peer. */
  async execute (options: ExecuteOptions): Promise<ExecuteResultReply> {
    const requestId = this.nextRequestId++
    const request = this.executeRequest(requestId, options)
    const frame = encodeShardRequest(request)
    return await this.exchange(this.timeoutMs, options.signal, async (lp, signal) => {
      await lp.write(frame, { signal })
      const result = expect(await this.readReply(lp, signal), 'execute-result')
      if (result.requestId !== requestId) {
        throw new UnexpectedMessageError(`reply to request ${result.requestId}, expected ${requestId}`)
      }
      return result
    })
  }

  /** Frees the tiles of a shard on the peer; resolves to the number freed. */
  async release (shardId: string, signal?: AbortSignal): Promise<number> {
    return await this.exchange(this.timeoutMs, signal, async (lp, s) => {
      await lp.write(encodeShardRequest({ type: 'release', shardId }), { signal: s })
      return expect(await this.readReply(lp, s), 'released').tilesFreed
    })
  }

  /**
   * Renews the leases of this node's shards among `shardIds` on the peer; resolves to the ids renewed and the
   * lease they now run for. An id missing from the answer is gone (expired or released): program it again.
   */
  async keepAlive (shardIds: string[], signal?: AbortSignal): Promise<{ shardIds: string[], leaseMs: number }> {
    return await this.exchange(this.timeoutMs, signal, async (lp, s) => {
      await lp.write(encodeShardRequest({ type: 'keep-alive', shardIds }), { signal: s })
      const reply = expect(await this.readReply(lp, s), 'kept-alive')
      return { shardIds: reply.shardIds, leaseMs: reply.leaseMs }
    })
  }

  /**
   * Hands this node's shard `shardId` on the peer to `newOwner` (e.g. the coordinator's next key, or another
   * coordinator taking the job over): from then on only `newOwner` can execute, release or keep it alive, and this
   * node gets UNKNOWN_SHARD for it. Fails with UnknownShardError when this node does not hold it, QuotaExceededError
   * when it would take the new owner past its tile quota, DuplicateShardError when the new owner holds that id.
   */
  async handOver (shardId: string, newOwner: PeerId | string, signal?: AbortSignal): Promise<{ newOwner: string, leaseMs: number }> {
    return await this.exchange(this.timeoutMs, signal, async (lp, s) => {
      await lp.write(encodeShardRequest({ type: 'hand-over', shardId, newOwner: newOwner.toString() }), { signal: s })
      const reply = expect(await this.readReply(lp, s), 'handed-over')
      return { newOwner: reply.newOwner, leaseMs: reply.leaseMs }
    })
  }

  async status (signal?: AbortSignal): Promise<StatusReply> {
    return await this.exchange(this.timeoutMs, signal, async (lp, s) => {
      await lp.write(encodeShardRequest({ type: 'status' }), { signal: s })
      return expect(await this.readReply(lp, s), 'status')
    })
  }

  /**
   * Opens one stream for a run of executes (the protocol allows any number on one stream), saving the stream set-up
   * of each call. Calls are sent in order and each waits for its reply under the exchange timeout; after any failure
   * the stream is aborted and later calls reject. The serving node closes a session idle for longer than its stream
   * idle timeout (5 s by default), so keep one only while requests flow.
   */
  async openExecuteSession (signal?: AbortSignal): Promise<ExecuteSession> {
    const timeout = AbortSignal.timeout(this.timeoutMs)
    const stream = await this.openStream(signal == null ? timeout : AbortSignal.any([timeout, signal]))
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_SIZE_BYTES, maxBufferSize: MAX_FRAME_SIZE_BYTES + 16 })
    let tail: Promise<unknown> = Promise.resolve()
    let failed: unknown
    let closed = false
    const run = async (options: Omit<ExecuteOptions, 'signal'>): Promise<ExecuteResultReply> => {
      if (failed !== undefined) throw failed
      if (closed) throw new UnexpectedMessageError('the execute session is closed')
      const requestId = this.nextRequestId++
      const frame = encodeShardRequest(this.executeRequest(requestId, options))
      const callTimeout = AbortSignal.timeout(this.timeoutMs)
      const callSignal = signal == null ? callTimeout : AbortSignal.any([callTimeout, signal])
      try {
        await lp.write(frame, { signal: callSignal })
        const result = expect(await this.readReply(lp, callSignal), 'execute-result')
        if (result.requestId !== requestId) {
          throw new UnexpectedMessageError(`reply to request ${result.requestId}, expected ${requestId}`)
        }
        return result
      } catch (err) {
        failed = callTimeout.aborted ? new RequestTimeoutError(`no reply from the peer within ${this.timeoutMs} ms`) : err
        stream.abort(err instanceof Error ? err : new Error(String(err)))
        throw failed
      }
    }
    return {
      execute: async (options) => {
        const next = tail.then(async () => await run(options))
        // The caller gets the outcome from `next`; the tail only orders the calls (and a failure poisons the session).
        tail = next.catch(() => {})
        return await next
      },
      close: async () => {
        if (closed) return
        closed = true
        await tail
        if (failed === undefined) await stream.close().catch((err: Error) => { stream.abort(err) })
      }
    }
  }

  /**
   * Opens a shard stream on a connection the node already has to the peer, direct ones first, else dials.
   * libp2p's dialProtocol reuses only connections without limits, and a connection through a relay counts as
   * limited even with raised limits, so every request to a relayed peer would otherwise dial the relay again. A
   * connection that is closing (DCUtR or the hole-punch service closes the relayed one once a direct one is up)
   * fails newStream at once; the next candidate or a fresh dial takes over.
   */
  private async openStream (signal: AbortSignal): Promise<Stream> {
    if (isPeerId(this.peer)) {
      const open = this.node.getConnections(this.peer).filter((c) => c.status === 'open')
      const relayed = (c: Connection): boolean => c.remoteAddr.toString().includes('/p2p-circuit')
      for (const connection of [...open.filter((c) => !relayed(c)), ...open.filter(relayed)]) {
        try {
          return await connection.newStream(SHARD_PROTOCOL, { signal, runOnLimitedConnection: true })
        } catch (err) {
          if (signal.aborted) throw err
          log('no shard stream over %a, trying the next connection - %e', connection.remoteAddr, err)
        }
      }
    }
    return await this.node.dialProtocol(this.peer, SHARD_PROTOCOL, { signal, runOnLimitedConnection: true })
  }

  private async exchange<T> (timeoutMs: number, userSignal: AbortSignal | undefined, fn: (lp: LengthPrefixedStream, signal: AbortSignal) => Promise<T>): Promise<T> {
    const timeout = AbortSignal.timeout(timeoutMs)
    const signal = userSignal == null ? timeout : AbortSignal.any([timeout, userSignal])
    let stream: Stream | undefined
    try {
      stream = await this.openStream(signal)
      const lp = lpStream(stream, { maxDataLength: MAX_FRAME_SIZE_BYTES, maxBufferSize: MAX_FRAME_SIZE_BYTES + 16 })
      const result = await fn(lp, signal)
      await stream.close({ signal })
      return result
    } catch (err) {
      stream?.abort(err instanceof Error ? err : new Error(String(err)))
      if (timeout.aborted && !(userSignal?.aborted ?? false)) {
        throw new RequestTimeoutError(`no reply from the peer within ${timeoutMs} ms`)
      }
      throw err
    }
  }

  private executeRequest (requestId: number, options: Omit<ExecuteOptions, 'signal'>): ShardRequest {
    const request: ShardRequest = {
      type: 'execute',
      requestId,
      shardId: options.shardId,
      batch: options.batch,
      rows: options.batch > 0 ? options.input.length / options.batch : 0,
      input: options.input
    }
    if (options.tSeconds !== undefined) request.tSeconds = options.tSeconds
    if (options.driftCompensation !== undefined) request.driftCompensation = options.driftCompensation
    if (options.noiseKey !== undefined) request.noiseKey = options.noiseKey
    return request
  }

  private async readReply (lp: LengthPrefixedStream, signal: AbortSignal): Promise<ShardReply> {
    const reply = decodeShardReply(await lp.read({ signal }))
    if (reply.type === 'error') {
      throw errorFromReply(reply)
    }
    return reply
  }
}

function expect<K extends ShardReply['type']> (reply: ShardReply, type: K): Extract<ShardReply, { type: K }> {
  if (reply.type !== type) {
    throw new MalformedMessageError(`expected a ${type} reply, got ${reply.type}`)
  }
  return reply as Extract<ShardReply, { type: K }>
}
