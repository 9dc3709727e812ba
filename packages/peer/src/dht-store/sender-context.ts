/**
 * Which remote peer a DHT write comes from. kad-dht's handlers write to the datastore without saying who asked,
 * and its validators see only a key and a value; the per-peer bounds of the DHT store need the sender. The kad
 * protocol's stream handler is run inside an AsyncLocalStorage scope holding the connection's remote peer, so every
 * datastore call the handler makes, however deep, can ask {@link DhtSenderContext.current}. Writes outside such a
 * scope are the node's own (its puts and provides, corrections of its own store).
 */
import { AsyncLocalStorage } from 'node:async_hooks'
import type { PeerId, StreamHandler } from '@libp2p/interface'
import type { Registrar } from '@libp2p/interface-internal'

export class DhtSenderContext {
  private readonly scope = new AsyncLocalStorage<PeerId>()
  /** Streams of the attributed protocol opened by remote peers: one per DHT request kad-dht sends. */
  inboundStreams = 0

  /** The remote peer whose DHT request is being handled, or undefined for the node's own operations. */
  current (): PeerId | undefined {
    return this.scope.getStore()
  }

  /** Runs `fn` as the handling of a request from `peer`. */
  async run<T> (peer: PeerId, fn: () => Promise<T>): Promise<T> {
    return await this.scope.run(peer, fn)
  }

  /** `handler`, run in the scope of each stream's remote peer. */
  attribute (handler: StreamHandler): StreamHandler {
    return async (stream, connection) => {
      this.inboundStreams++
      await this.run(connection.remotePeer, async () => { await handler(stream, connection) })
    }
  }

  /**
   * A view of `registrar` whose `handle` attributes the streams of `protocol` (and passes every other call through):
   * what kad-dht gets as its registrar.
   */
  registrarFor (registrar: Registrar, protocol: string): Registrar {
    return new Proxy(registrar, {
      get: (target, prop) => {
        if (prop === 'handle') {
          return async (p: string, handler: StreamHandler, options?: Parameters<Registrar['handle']>[2]) => {
            await target.handle(p, p === protocol ? this.attribute(handler) : handler, options)
          }
        }
        const value: unknown = Reflect.get(target, prop, target)
        return typeof value === 'function' ? value.bind(target) : value
      }
    })
  }
}
