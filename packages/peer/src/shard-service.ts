import { logger } from '@libp2p/logger'
import { lpStream, UnexpectedEOFError } from '@libp2p/utils'
import { isLibp2pError } from '@tessera/holepunch'
import {
  BusyError, DEFAULT_PROGRAM_TIMEOUT_MS, DEFAULT_STREAM_IDLE_TIMEOUT_MS, DeviceMismatchError, FLOAT32_BYTES, PeerLeavingError,
  LimitedConnectionRefusedError, MAX_FRAME_SIZE_BYTES, MalformedMessageError, MAX_IN_FLIGHT_PER_PEER, MAX_INBOUND_SHARD_STREAMS,
  RequestTimeoutError, SHARD_PROTOCOL, ShapeMismatchError, UnexpectedMessageError, checkBatch, createProgramAssembler,
  decodeShardRequest, encodeShardReply, toErrorReply
} from '@tessera/wire'
import { NodeNotStartedError } from './errors.js'
import type { NodeExecutor } from './executor/node-executor.js'
import type { Connection, Libp2p, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { ExecuteRequest, ProgramBeginRequest, ShardReply, ShardRequest } from '@tessera/wire'

const log = logger('tessera:peer:shard-service')

/** lpStream's message when the stream ends where the next frame's length prefix would start. */
const CLEAN_EOF = /after reading 0\/1 bytes/

/** How often a leaving node looks whether its last stream has finished. */
const DRAIN_POLL_MS = 50

export interface ShardServiceInit {
  /** Concurrent shard streams served per peer; more get a BUSY reply (default MAX_IN_FLIGHT_PER_PEER). */
  maxInFlightPerPeer?: number
  /** Longest wait for the next frame of a stream (default DEFAULT_STREAM_IDLE_TIMEOUT_MS). */
  idleTimeoutMs?: number
  /** Longest whole upload, begin to committed (default DEFAULT_PROGRAM_TIMEOUT_MS). */
  programTimeoutMs?: number
}

/** Observed after every execute the service runs (the node feeds its short-term latency window with it). */
export type ExecuteObserver = (wallMs: number, macs: number) => void

/** The request a failure belongs to, named in the error reply so the client can match it. */
interface ReplyContext {
  requestId?: number
  shardId?: string
}

/**
 * Serves `/tessera/shard/1.0.0` from a node's executor. One exchange per stream (program upload, a run of
 * pipelined executes, release or status); every read is bounded by the wire frame limit and an idle timeout; any
 * failure becomes a typed error reply followed by closing the stream, never a hung stream.
 */
export class ShardService {
  private readonly node: Libp2p
  private readonly executor: NodeExecutor
  private readonly maxInFlightPerPeer: number
  private readonly idleTimeoutMs: number
  private readonly programTimeoutMs: number
  private readonly inFlightByPeer = new Map<string, number>()
  private readonly streams = new Set<Stream>()
  private inFlightTotal = 0
  private leaving = false
  private readonly onExecute?: ExecuteObserver

  constructor (node: Libp2p, executor: NodeExecutor, init: ShardServiceInit = {}, onExecute?: ExecuteObserver) {
    this.node = node
    this.executor = executor
    this.maxInFlightPerPeer = init.maxInFlightPerPeer ?? MAX_IN_FLIGHT_PER_PEER
    this.idleTimeoutMs = init.idleTimeoutMs ?? DEFAULT_STREAM_IDLE_TIMEOUT_MS
    this.programTimeoutMs = init.programTimeoutMs ?? DEFAULT_PROGRAM_TIMEOUT_MS
    this.onExecute = onExecute
  }

  async start (): Promise<void> {
    await this.node.handle(SHARD_PROTOCOL, (stream, connection) => { void this.serve(stream, connection) }, {
      maxInboundStreams: MAX_INBOUND_SHARD_STREAMS,
      // Relayed peers may ask for status; uploads and executes are refused unless the relay's budget allows them.
      runOnLimitedConnection: true
    })
  }

  async stop (): Promise<void> {
    await this.node.unhandle(SHARD_PROTOCOL)
    for (const s of this.streams) s.abort(new NodeNotStartedError('the node is stopping'))
    this.streams.clear()
  }

  /** Shard streams being served right now, over all peers. */
  inFlight (): number {
    return this.inFlightTotal
  }

  /**
   * From now on a stream that starts an upload or an execute is refused with `PeerLeavingError` (wire code
   * `LEAVING`); streams already served go on, and status and release are still answered.
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
    const count = this.inFlightByPeer.get(peer) ?? 0
    if (count >= this.maxInFlightPerPeer) {
      await this.fail(lp, stream, new BusyError(`${count} requests of this peer in flight, limit ${this.maxInFlightPerPeer}`))
      return
    }
    this.inFlightByPeer.set(peer, count + 1)
    this.inFlightTotal++
    this.streams.add(stream)
    const context: ReplyContext = {}
    try {
      const first = await this.read(lp, AbortSignal.timeout(this.idleTimeoutMs))
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
      const left = (this.inFlightByPeer.get(peer) ?? 1) - 1
      if (left <= 0) this.inFlightByPeer.delete(peer)
      else this.inFlightByPeer.set(peer, left)
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
      case 'release': {
        const r = await this.executor.release(first.shardId)
        await this.reply(lp, { type: 'released', shardId: first.shardId, tilesFreed: r.tilesFreed })
        break
      }
      case 'status': await this.reply(lp, await this.statusReply()); break
      default: throw new UnexpectedMessageError(`a stream cannot start with ${first.type}`)
    }
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

  /** Reads and validates one request; null at a clean end of stream (between frames). */
  private async read (lp: LengthPrefixedStream, signal: AbortSignal): Promise<ShardRequest | null> {
    let frame
    try {
      frame = await lp.read({ signal })
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
    const { tilesReserved } = await this.executor.reserve(begin.shardId, begin.rows, begin.cols)
    let committed = false
    try {
      const assembler = createProgramAssembler(begin)
      await this.reply(lp, { type: 'program-ready', shardId: begin.shardId, tilesReserved })
      while (true) {
        const msg = await this.read(lp, AbortSignal.any([signal, AbortSignal.timeout(this.idleTimeoutMs)]))
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
        const { tilesUsed } = await this.executor.program(begin.shardId, weights, begin.seed, begin.tSeconds, { transfer: true })
        committed = true
        await this.reply(lp, { type: 'program-committed', shardId: begin.shardId, tilesUsed, contentSha256: begin.contentSha256 })
        return
      }
    } finally {
      if (!committed) {
        // A failed or abandoned upload must not keep its tiles; if even the release fails they stay taken.
        await this.executor.release(begin.shardId).catch((err) => {
          log.error('releasing the tiles of the abandoned upload of %s failed - %e', begin.shardId, err)
        })
      }
    }
  }

  /** Serves executes until the client ends the stream; `context` names the one being served, for an error reply. */
  private async executeRun (lp: LengthPrefixedStream, connection: Connection, first: ExecuteRequest, context: ReplyContext): Promise<void> {
    for (let req: ShardRequest | null = first; req != null; req = await this.read(lp, AbortSignal.timeout(this.idleTimeoutMs))) {
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
    const shape = this.executor.shapeOf(req.shardId)
    if (shape != null) {
      if (shape.rows !== req.rows) {
        throw new ShapeMismatchError(`shard ${req.shardId} has ${shape.rows} rows, the input ${req.rows}`)
      }
      // The output must fit one frame too, which only the serving node can check (it knows cols).
      checkBatch(req.batch, shape.rows, shape.cols)
      this.checkLimited(connection, req.batch * (shape.rows + shape.cols) * FLOAT32_BYTES)
    }
    const options = {
      ...(req.tSeconds !== undefined ? { tSeconds: req.tSeconds } : {}),
      ...(req.driftCompensation !== undefined ? { driftCompensation: req.driftCompensation } : {}),
      ...(req.noiseKey !== undefined ? { noiseKey: req.noiseKey } : {})
    }
    const r = await this.executor.execute(req.shardId, req.input, req.batch, options, { transfer: true })
    this.onExecute?.(r.wallMs, r.stats.macs)
    await this.reply(lp, {
      type: 'execute-result',
      requestId: req.requestId,
      shardId: req.shardId,
      batch: req.batch,
      cols: r.output.length / req.batch,
      output: r.output,
      deviceTimeNs: r.stats.deviceTimeNs,
      energyPj: r.stats.energyPj,
      macs: r.stats.macs
    })
  }
}
