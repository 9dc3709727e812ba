/**
 * A connected `net.Socket` as a libp2p MultiaddrConnection, so the upgrader can run Noise and yamux over a socket
 * this service opened itself. @libp2p/tcp has the same adapter but does not export it; this one follows it.
 */
import { TimeoutError } from '@libp2p/interface'
import { AbstractMultiaddrConnection } from '@libp2p/utils'
import { once } from 'node:events'
import { SOCKET_INACTIVITY_TIMEOUT_MS } from './constants.js'
import type { AbortOptions, Logger, MessageStreamDirection, MultiaddrConnection } from '@libp2p/interface'
import type { SendResult } from '@libp2p/utils'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Socket } from 'node:net'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface SocketConnectionInit {
  /** A connected socket. */
  socket: Socket
  /** The remote end, normally `/ip4/…/tcp/…/p2p/<peer>` so that Noise checks the peer's identity. */
  remoteAddr: Multiaddr
  /**
   * The part this side plays in the upgrade. yamux picks client or server from it, so it must match the upgrader
   * call (`upgradeOutbound` ⇔ `outbound`).
   */
  direction: MessageStreamDirection
  log: Logger
  /** Default {@link SOCKET_INACTIVITY_TIMEOUT_MS}. */
  inactivityTimeoutMs?: number
}

class SocketConnection extends AbstractMultiaddrConnection {
  private readonly socket: Socket

  constructor (init: SocketConnectionInit) {
    super({ remoteAddr: init.remoteAddr, direction: init.direction, log: init.log, inactivityTimeout: init.inactivityTimeoutMs ?? SOCKET_INACTIVITY_TIMEOUT_MS })
    const socket = this.socket = init.socket
    socket.on('data', (buf: Buffer) => { this.onData(buf) })
    socket.on('error', (err) => {
      this.log('socket error - %e', err)
      this.abort(err)
    })
    socket.setTimeout(init.inactivityTimeoutMs ?? SOCKET_INACTIVITY_TIMEOUT_MS)
    socket.once('timeout', () => {
      // Node only reports inactivity; closing is up to us.
      this.abort(new TimeoutError('punched socket inactive'))
    })
    // The remote sent FIN; Node answers with its own (allowHalfOpen is off) and then emits 'close'.
    socket.once('end', () => { this.onTransportClosed() })
    socket.once('close', (hadError) => {
      if (hadError) {
        this.abort(new Error('TCP transmission error'))
        return
      }
      this.onTransportClosed()
    })
    socket.on('drain', () => { this.safeDispatchEvent('drain') })
  }

  sendData (data: Uint8ArrayList): SendResult {
    let sentBytes = 0
    let canSendMore = true
    for (const buf of data) {
      sentBytes += buf.byteLength
      canSendMore = this.socket.write(buf)
      if (!canSendMore) break
    }
    return { sentBytes, canSendMore }
  }

  async sendClose (options?: AbortOptions): Promise<void> {
    if (this.socket.destroyed) return
    const closed = once(this.socket, 'close', { signal: options?.signal })
    this.socket.destroySoon()
    await closed
  }

  sendReset (): void {
    // resetAndDestroy cannot follow a graceful end() (libuv forbids mixing uv_shutdown and close-reset).
    if (this.socket.writableEnded) this.socket.destroy()
    else this.socket.resetAndDestroy()
  }

  sendPause (): void {
    this.socket.pause()
  }

  sendResume (): void {
    this.socket.resume()
  }
}

/** Wraps a connected socket for `upgrader.upgradeOutbound` / `upgradeInbound`. */
export function socketToMultiaddrConnection (init: SocketConnectionInit): MultiaddrConnection {
  return new SocketConnection(init)
}
