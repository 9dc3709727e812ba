import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream, UnexpectedEOFError } from '@libp2p/utils'
import { isLibp2pError } from '@tessera/holepunch'
import {
  BusyError, DEFAULT_PROGRAM_TIMEOUT_MS, DEFAULT_STREAM_IDLE_TIMEOUT_MS, DeviceMismatchError, DuplicateShardError, FLOAT32_BYTES, InsufficientCapacityError, PeerLeavingError,
  InternalError, LimitedConnectionRefusedError, MAX_FRAME_SIZE_BYTES, MalformedMessageError, MAX_INBOUND_SHARD_STREAMS,
  RequestTimeoutError, SHARD_PROTOCOL, ShapeMismatchError, UnexpectedMessageError, UnknownShardError, checkBatch, createProgramAssembler,
  decodeShardRequest, encodeShardReply, toErrorReply
} from '@tessera/wire'
import { NodeNotStartedError } from './errors.js'
import { DEFAULT_SHARD_LEASE_MS, leaseSweepMs, ShardLeases } from './leases.js'
import { ShardOwnership, unknownShard } from './ownership.js'
import {
  ByteRateLimiter, DEFAULT_MAX_BYTES_PER_SECOND_PER_PEER, DEFAULT_MAX_EXECUTES_IN_FLIGHT_PER_PEER, DEFAULT_MAX_PENDING_UPLOADS_PER_PEER,
  DEFAULT_MAX_SHARD_STREAMS_TOTAL, DEFAULT_MAX_STREAMS_PER_PEER, PeerLedger, QUOTA_RESOURCES, checkQuota, tilesFor
} from './quotas.js'
import type { OwnedShard } from './ownership.js'
import type { PeerQuotas } from './quotas.js'
import type { NodeExecutor } from './executor/node-executor.js'
import type { Misbehaviour } from './misbehaviour.js'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { ExecuteRequest, HandOverRequest, KeepAliveRequest, ProgramBeginRequest, ReleaseRequest, ShardReply, ShardRequest } from '@tessera/wire'

const log = logger('tessera:peer:shard-service')

/** lpStream's message when the stream ends where the next frame's length prefix would start. */
const CLEAN_EOF = /after reading 0\/1 bytes/

/** How often a leaving node looks whether its last stream has finished. */
const DRAIN_POLL_MS = 50

export interface ShardServiceInit extends Partial<Omit<PeerQuotas, 'maxStreamsPerPeer'>> {
  /**
   * Concurrent shard streams served per peer (the streams quota); more get QUOTA_EXCEEDED (default
   * DEFAULT_MAX_STREAMS_PER_PEER). Tiles per peer default to the whole pool here; the node passes its network's default.
   */
  maxInFlightPerPeer?: number
  /** Lease of a programmed shard, renewed by its owner's executes and keep-alives (default DEFAULT_SHARD_LEASE_MS). */
  leaseMs?: number
  /** Longest wait for the next frame of a stream (default DEFAULT_STREAM_IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number
  /** Longest whole upload, begin to committed (default DEFAULT_PROGRAM_TIMEOUT_MS). */
  programTimeoutMs?: number
  /** Fault injection for simulations only (misbehaviour.ts): rewrites or drops answers. */
  answerTamper?: Misbehaviour['answer']
}

/** Observed after every execute the service runs (the node feeds its short-term latency window with it). */
export type ExecuteObserver = (wallMs: number, macs: number) => void

/** A shard whose lease ran out and whose tiles were freed. */
export interface LeaseExpiry {
  owner: string
  shardId: string
  tilesFreed: number
}

/** Hooks of a shard service. */
export interface ShardServiceHooks {
  onExecute?: ExecuteObserver
  onLeaseExpired?: (expiry: LeaseExpiry) => void
}

/** The request a failure belongs to, named in the error reply so the client can match it. */
interface ReplyContext {
  requestId?: number
  shardId?: string
}

/**
 * Serves `/tessera/shard/1.0.0` from a node's executor. One exchange per stream (program upload, a run of
 * pipelined executes, release, status, keep-alive or hand-over); every read is bounded by the wire frame limit and an idle
 * timeout; any failure becomes a typed error reply followed by closing the stream, never a hung stream.
 *
 * Shards are owned by the peer that programmed them and namespaced per owner (`ownership.ts`); each peer is held
 * to per-peer quotas (`quotas.ts`); a programmed shard lives under a lease its owner renews (`leases.ts`).
 */
export class ShardService {
  private readonly node: Libp2p
  private readonly executor: NodeExecutor
  readonly quotas: PeerQuotas
  private readonly idleTimeoutMs: number
  private readonly programTimeoutMs: number
  private readonly ledger = new PeerLedger()
  private readonly rate: ByteRateLimiter
  private readonly ownership = new ShardOwnership()
  readonly leases: ShardLeases
  private sweep?: ReturnType<typeof setInterval>
  private readonly answerTamper?: Misbehaviour['answer']
  private readonly streams = new Set<Stream>()
  private inFlightTotal = 0
  private leaving = false
  private readonly hooks: ShardServiceHooks

  constructor (node: Libp2p, executor: NodeExecutor, init: ShardServiceInit = {}, hooks: ShardServiceHooks = {}) {
    this.node = node
    this.executor = executor
    this.quotas = {
      maxTilesPerPeer: checkQuota(init.maxTilesPerPeer ?? executor.tilesTotal, 'maxTilesPerPeer'),
      maxPendingUploadsPerPeer: checkQuota(init.maxPendingUploadsPerPeer ?? DEFAULT_MAX_PENDING_UPLOADS_PER_PEER, 'maxPendingUploadsPerPeer'),
      maxStreamsPerPeer: checkQuota(init.maxInFlightPerPeer ?? DEFAULT_MAX_STREAMS_PER_PEER, 'maxInFlightPerPeer'),
      maxExecutesInFlightPerPeer: checkQuota(init.maxExecutesInFlightPerPeer ?? DEFAULT_MAX_EXECUTES_IN_FLIGHT_PER_PEER, 'maxExecutesInFlightPerPeer'),
      maxBytesPerSecondPerPeer: checkQuota(init.maxBytesPerSecondPerPeer ?? DEFAULT_MAX_BYTES_PER_SECOND_PER_PEER, 'maxBytesPerSecondPerPeer'),
      maxStreamsTotal: checkQuota(init.maxStreamsTotal ?? DEFAULT_MAX_SHARD_STREAMS_TOTAL, 'maxStreamsTotal')
    }
    this.rate = new ByteRateLimiter(this.quotas.maxBytesPerSecondPerPeer)
    this.leases = new ShardLeases(checkQuota(init.leaseMs ?? DEFAULT_SHARD_LEASE_MS, 'leaseMs'))
    this.idleTimeoutMs = init.idleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS
    this.programTimeoutMs = init.programTimeoutMs ?? DEFAULT_PROGRAM_TIMEOUT_MS
    this.hooks = hooks
    if (init.answerTamper !== undefined) this.answerTamper = init.answerTamper
  }

  async start (): Promise<void> {
    await this.node.handle(SHARD_PROTOCOL, (stream, connection) => { void this.serve(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_SHARD_STREAMS,
      // Relayed peers may ask for status; uploads and executes are refused unless the relay's budget allows them.
      runOnLimitedConnection: true
    })
    this.sweep = setInterval(() => { void this.freeExpired() }, leaseSweepMs(this.leases.leaseMs))
    this.sweep.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.sweep)
    await this.node.unhandle(SHARD_PROTOCOL)
    for (const s of this.streams) s.abort(new NodeNotStartedError('the node is stopping'))
    this.streams.clear()
  }

  /** Shards held now (reserved or programmed), over all owners. */
  shardsHeld (): number {
    return this.ownership.size()
  }

  /** Frees the tiles of every shard whose lease ran out. */
  private async freeExpired (): Promise<void> {
    for (const key of this.leases.takeExpired()) {
      const shard = this.ownership.byExecutorKey(key)
      if (shard === undefined) continue
      try {
        const tilesFreed = await this.free(shard)
        log('the lease of %s of %s ran out: %d tiles freed', shard.shardId, shard.owner, tilesFreed)
        this.hooks.onLeaseExpired?.({ owner: shard.owner, shardId: shard.shardId, tilesFreed })
      } catch (err) {
        log.error('freeing the expired shard %s of %s failed - %e', shard.shardId, shard.owner, err)
      }
    }
  }

  /** Frees a held shard once: its tiles, its quota and its lease. Resolves to the tiles freed (0 if already gone). */
  private async free (shard: OwnedShard): Promise<number> {
    if (!this.forget(shard)) return 0
    return (await this.executor.release(shard.key)).tilesFreed
  }

  /** Drops a shard from the books (owner, quota, lease); false when it was no longer there. */
  private forget (shard: OwnedShard): boolean {
    if (!this.ownership.remove(shard)) return false
    this.leases.drop(shard.key)
    this.ledger.release(shard.owner, QUOTA_RESOURCES.tiles, shard.tiles)
    return true
  }

  /** Shard streams being served right now, over all peers. */
  inFlight (): number {
    return this.inFlightTotal
  }

  /**
   * From now on a stream that starts an upload or an execute is refused with `PeerLeavingError` (wire code
   * `LEAVING`); streams already served go on, and status, release, keep-alive and hand-over are still answered.
   */
  startLeaving (): void {
    this.leaving = true
  }

  /** Resolves once no shard stream is served any more, or after `timeoutMs`; to whether every stream finished. */
  async drained (timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs
    while (this.inFlightTotal > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(DRAIN_POLL_MS, deadline - Date.now())))
    }
    return this.inFlightTotal === 0
  }

  private async serve (stream: Stream, connection: Connection): Promise<void> {
    const peer = connection.remotePeer.toString()
    const lp = lpStream(stream, { maxDataLength: MAX_FRAME_SIZE_BYTES, maxBufferSize: MAX_FRAME_SIZE_BYTES + 16 })
    try {
      if (this.inFlightTotal >= this.quotas.maxStreamsTotal) {
        throw new BusyError(`${this.inFlightTotal} shard streams in flight, limit ${this.quotas.maxStreamsTotal}`)
      }
      this.ledger.acquire(peer, QUOTA_RESOURCES.streams, this.quotas.maxStreamsPerPeer)
    } catch (err) {
      await this.fail(lp, stream, err)
      return
    }
    this.inFlightTotal++
    this.streams.add(stream)
    const context: ReplyContext = {}
    try {
      const first = await this.read(lp, peer, AbortSignal.timeout(this.idleTimeoutMs))
      if (first != null) await this.dispatch(lp, connection, first, context)
      await stream.close({ signal: AbortSignal.timeout(this.idleTimeoutMs) }).catch((err) => {
        // Everything was answered; a client that went away early only turns the close into a reset.
        log.trace('closing a shard stream from %s failed, aborting it - %e', peer, err)
        stream.abort(err)
      })
    } catch (err) {
      log('a shard request from %s failed - %e', peer, err)
      await this.fail(lp, stream, err, context)
    } finally {
      this.streams.delete(stream)
      this.inFlightTotal--
      this.ledger.release(peer, QUOTA_RESOURCES.streams)
    }
  }

  /** Serves the exchange a stream starts with. */
  private async dispatch (lp: LengthPrefixedStream, connection: Connection, first: ShardRequest, context: ReplyContext): Promise<void> {
    if (this.leaving && (first.type === 'program-begin' || first.type === 'execute')) {
      throw new PeerLeavingError('this node is leaving the network: it takes no new uploads or executes')
    }
    switch (first.type) {
      case 'program-begin': await this.program(lp, connection, first); break
      case 'execute': await this.executeRun(lp, connection, first, context); break
      case 'release': await this.release(lp, connection, first); break
      case 'keep-alive': await this.reply(lp, this.keepAlive(connection, first)); break
      case 'hand-over': await this.reply(lp, this.handOver(connection, first)); break
      case 'status': await this.reply(lp, await this.statusReply()); break
      default: throw new UnexpectedMessageError(`a stream cannot start with ${first.type}`)
    }
  }

  /** Frees one of the caller's shards; another peer's or a missing id get the same UNKNOWN_SHARD. */
  private async release (lp: LengthPrefixedStream, connection: Connection, req: ReleaseRequest): Promise<void> {
    const shard = this.ownership.get(connection.remotePeer.toString(), req.shardId)
    if (shard === undefined) throw unknownShard(req.shardId)
    const tilesFreed = await this.free(shard)
    await this.reply(lp, { type: 'released', shardId: req.shardId, tilesFreed })
  }

  /** Renews the leases of the caller's programmed shards among the ids; the others are left out without a word. */
  private keepAlive (connection: Connection, req: KeepAliveRequest): ShardReply {
    const owner = connection.remotePeer.toString()
    const renewed = req.shardIds.filter((id) => {
      const shard = this.ownership.get(owner, id)
      return shard?.programmed === true && this.leases.renew(shard.key)
    })
    return { type: 'kept-alive', shardIds: renewed, leaseMs: this.leases.leaseMs }
  }

  /**
   * Gives one of the caller's programmed shards to another PeerId, all checks before any change: another peer's or
   * a missing id get the same UNKNOWN_SHARD, an id the new owner already holds DUPLICATE_SHARD, a shard past the
   * new owner's tile quota QUOTA_EXCEEDED. The shard keeps its executor key; its lease starts again.
   */
  private handOver (connection: Connection, req: HandOverRequest): ShardReply {
    const owner = connection.remotePeer.toString()
    const shard = this.ownership.get(owner, req.shardId)
    if (shard?.programmed !== true) throw unknownShard(req.shardId)
    let newOwner: string
    try {
      newOwner = peerIdFromString(req.newOwner).toString()
    } catch (err) {
      throw new MalformedMessageError(`the new owner ${JSON.stringify(req.newOwner)} is not a PeerId`, { cause: err })
    }
    if (newOwner !== owner) {
      if (this.ownership.get(newOwner, req.shardId) !== undefined) {
        throw new DuplicateShardError(`the new owner already holds a shard ${JSON.stringify(req.shardId)} here`)
      }
      this.ledger.acquire(newOwner, QUOTA_RESOURCES.tiles, this.quotas.maxTilesPerPeer, shard.tiles)
      this.ledger.release(owner, QUOTA_RESOURCES.tiles, shard.tiles)
      this.ownership.transfer(shard, newOwner)
      log('shard %s of %s handed over to %s', req.shardId, owner, newOwner)
    }
    this.leases.renew(shard.key)
    return { type: 'handed-over', shardId: req.shardId, newOwner, leaseMs: this.leases.leaseMs }
  }

  private async statusReply (): Promise<ShardReply> {
    const s = await this.executor.status()
    return {
      type: 'status',
      tilesTotal: s.tilesTotal,
      tilesFree: s.tilesFree,
      shardsHeld: s.shardsHeld,
      queueDepth: this.executor.queueDepth(),
      inFlight: this.inFlightTotal,
      devicePreset: s.devicePreset,
      tileRows: s.tileRows,
      tileCols: s.tileCols
    }
  }

  /**
   * Reads and validates one request; null at a clean end of stream (between frames). A peer over its byte rate
   * waits here before the frame is decoded, so its stream (and its sender) slow down.
   */
  private async read (lp: LengthPrefixedStream, peer: string, signal: AbortSignal): Promise<ShardRequest | null> {
    let frame
    try {
      frame = await lp.read({ signal })
      await this.rate.take(peer, frame.byteLength)
    } catch (err) {
      if (isLibp2pError(err, UnexpectedEOFError)) {
        // lpStream reports every end of stream as UnexpectedEOFError; only its message tells an end between frames
        // ("after reading 0/1 bytes" of the next length prefix) from a truncated frame, which gets a typed reply.
        const message = (err as Error).message
        if (CLEAN_EOF.test(message)) return null
        throw new MalformedMessageError(`truncated frame: ${message}`)
      }
      if (signal.aborted) throw new RequestTimeoutError('no request frame within the stream timeout')
      throw err
    }
    return decodeShardRequest(frame)
  }

  private async reply (lp: LengthPrefixedStream, reply: ShardReply): Promise<void> {
    await lp.write(encodeShardReply(reply), { signal: AbortSignal.timeout(this.idleTimeoutMs) })
  }

  /** Best-effort typed error reply, then the stream is closed (or aborted if even that fails). */
  private async fail (lp: LengthPrefixedStream, stream: Stream, err: unknown, context: ReplyContext = {}): Promise<void> {
    try {
      await this.reply(lp, toErrorReply(err, context))
      await stream.close({ signal: AbortSignal.timeout(this.idleTimeoutMs) })
    } catch (replyErr) {
      // A stream that broke (often the failure itself) cannot carry the reply; the client sees a reset instead.
      log.trace('the error reply could not be sent, aborting the stream - %e', replyErr)
      stream.abort(replyErr instanceof Error ? replyErr : new Error(String(replyErr)))
    }
  }

  private checkLimited (connection: Connection, bytesNeeded: number): void {
    const budget = connection.limits?.bytes
    if (budget != null && budget < BigInt(bytesNeeded)) {
      throw new LimitedConnectionRefusedError(`the relayed connection has ${budget} bytes left, the request needs ${bytesNeeded}`)
    }
  }

  private async program (lp: LengthPrefixedStream, connection: Connection, begin: ProgramBeginRequest): Promise<void> {
    const signal = AbortSignal.timeout(this.programTimeoutMs)
    const preset = this.executor.profile.preset
    if (begin.devicePreset !== undefined && begin.devicePreset !== preset) {
      throw new DeviceMismatchError(`the shard was planned for ${begin.devicePreset}, this node runs ${preset}`)
    }
    this.checkLimited(connection, begin.rows * begin.cols * FLOAT32_BYTES)
    const owner = connection.remotePeer.toString()
    const shard = this.reserveFor(owner, begin)
    let reserved = false
    let committed = false
    try {
      const { tilesReserved } = await this.executor.reserve(shard.key, begin.rows, begin.cols)
      reserved = true
      const assembler = createProgramAssembler(begin)
      await this.reply(lp, { type: 'program-ready', shardId: begin.shardId, tilesReserved })
      while (true) {
        const msg = await this.read(lp, owner, AbortSignal.any([signal, AbortSignal.timeout(this.idleTimeoutMs)]))
        if (msg == null) {
          return
        }
        if (msg.type === 'program-chunk') {
          assembler.add(msg)
          continue
        }
        if (msg.type !== 'program-commit') {
          throw new UnexpectedMessageError(`${msg.type} during the upload of ${begin.shardId}`)
        }
        const weights = assembler.finish(msg)
        if (this.ownership.byExecutorKey(shard.key) !== shard) throw unknownShard(begin.shardId) // released mid-upload
        const { tilesUsed } = await this.executor.program(shard.key, weights, begin.seed, begin.tSeconds, { transfer: true })
        committed = true
        shard.programmed = true
        this.leases.grant(shard.key)
        await this.reply(lp, { type: 'program-committed', shardId: begin.shardId, tilesUsed, contentSha256: begin.contentSha256 })
        return
      }
    } finally {
      this.ledger.release(owner, QUOTA_RESOURCES.pendingUploads)
      if (!reserved) {
        this.forget(shard)
      } else if (!committed) {
        // A failed, stalled or abandoned upload must not keep its tiles (its reads time out after the idle
        // timeout, the whole upload after the program timeout); if even the release fails they stay taken.
        await this.free(shard).catch((err) => {
          log.error('releasing the tiles of the abandoned upload of %s failed - %e', begin.shardId, err)
        })
      }
    }
  }

  /**
   * Claims the caller's id and quota for an upload before any await, so two uploads of one id cannot both pass.
   * Only the caller's own namespace is looked at: an id another peer holds is free for this one.
   */
  private reserveFor (owner: string, begin: ProgramBeginRequest): OwnedShard {
    if (this.ownership.get(owner, begin.shardId) !== undefined) {
      throw new DuplicateShardError(`shard ${JSON.stringify(begin.shardId)} is already held for this peer`)
    }
    const g = this.executor.profile.geometry
    const tiles = tilesFor(begin.rows, begin.cols, g.rows, g.cols)
    if (tiles > this.executor.tilesTotal) {
      throw new InsufficientCapacityError(`a ${begin.rows}×${begin.cols} shard needs ${tiles} tiles, the node has ${this.executor.tilesTotal}`)
    }
    this.ledger.acquire(owner, QUOTA_RESOURCES.pendingUploads, this.quotas.maxPendingUploadsPerPeer)
    try {
      this.ledger.acquire(owner, QUOTA_RESOURCES.tiles, this.quotas.maxTilesPerPeer, tiles)
    } catch (err) {
      this.ledger.release(owner, QUOTA_RESOURCES.pendingUploads)
      throw err
    }
    const shard: OwnedShard = { key: this.ownership.executorKeyFor(owner, begin.shardId), owner, shardId: begin.shardId, rows: begin.rows, cols: begin.cols, tiles, programmed: false }
    this.ownership.add(shard)
    return shard
  }

  /** Serves executes until the client ends the stream; `context` names the one being served, for an error reply. */
  private async executeRun (lp: LengthPrefixedStream, connection: Connection, first: ExecuteRequest, context: ReplyContext): Promise<void> {
    const peer = connection.remotePeer.toString()
    for (let req: ShardRequest | null = first; req != null; req = await this.read(lp, peer, AbortSignal.timeout(this.idleTimeoutMs))) {
      if (req.type !== 'execute') {
        throw new UnexpectedMessageError(`${req.type} in a run of executes`)
      }
      context.requestId = req.requestId
      context.shardId = req.shardId
      await this.executeOne(lp, connection, req)
      // A frame that fails to read or decode next is not this request's failure.
      delete context.requestId
      delete context.shardId
    }
  }

  private async executeOne (lp: LengthPrefixedStream, connection: Connection, req: ExecuteRequest): Promise<void> {
    const owner = connection.remotePeer.toString()
    const shard = this.ownership.get(owner, req.shardId)
    if (shard?.programmed !== true) throw unknownShard(req.shardId)
    if (shard.rows !== req.rows) {
      throw new ShapeMismatchError(`shard ${req.shardId} has ${shard.rows} rows, the input ${req.rows}`)
    }
    // The output must fit one frame too, which only the serving node can check (it knows cols).
    checkBatch(req.batch, shard.rows, shard.cols)
    this.checkLimited(connection, req.batch * (shard.rows + shard.cols) * FLOAT32_BYTES)
    this.ledger.acquire(owner, QUOTA_RESOURCES.executesInFlight, this.quotas.maxExecutesInFlightPerPeer)
    try {
      this.leases.renew(shard.key)
      await this.executeOwned(lp, shard, req)
    } finally {
      this.ledger.release(owner, QUOTA_RESOURCES.executesInFlight)
    }
  }

  private async executeOwned (lp: LengthPrefixedStream, shard: OwnedShard, req: ExecuteRequest): Promise<void> {
    const options = {
      ...(req.tSeconds !== undefined ? { tSeconds: req.tSeconds } : {}),
      ...(req.driftCompensation !== undefined ? { driftCompensation: req.driftCompensation } : {}),
      ...(req.noiseKey !== undefined ? { noiseKey: req.noiseKey } : {})
    }
    let r
    try {
      r = await this.executor.execute(shard.key, req.input, req.batch, options, { transfer: true })
    } catch (err) {
      // Released or expired while the call waited in the worker's queue: the same answer as any unknown shard.
      if (err instanceof UnknownShardError) throw unknownShard(req.shardId)
      throw err
    }
    this.hooks.onExecute?.(r.wallMs, r.stats.macs)
    let output = r.output
    if (this.answerTamper !== undefined) {
      const verdict = this.answerTamper({ shardId: req.shardId, ...(req.noiseKey !== undefined ? { noiseKey: String(req.noiseKey) } : {}), batch: req.batch, cols: r.output.length / req.batch, output })
      if (verdict === 'drop') throw new InternalError('call dropped (fault injection)')
      output = verdict
    }
    await this.reply(lp, {
      type: 'execute-result',
      requestId: req.requestId,
      shardId: req.shardId,
      batch: req.batch,
      cols: output.length / req.batch,
      output,
      deviceTimeNs: r.stats.deviceTimeNs,
      energyPj: r.stats.energyPj,
      macs: r.stats.macs
    })
  }
}
