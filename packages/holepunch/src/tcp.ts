/** Raw TCP sockets for the observer connection and the simultaneous open. */
import { connect } from 'node:net'
import { TcpConnectError } from './errors.js'
import type { Socket } from 'node:net'
import type { Candidate } from './candidates.js'

export interface ConnectFromOptions {
  /** Local port to bind; 0 lets the kernel pick a port no socket uses, not even one in TIME_WAIT. */
  localPort: number
  timeoutMs: number
  signal?: AbortSignal
}

/**
 * Connects to `remote` from an explicitly bound local port. Binding through Node (a local address is given) makes
 * libuv set SO_REUSEADDR, which lets the observer connection and the punch socket share a port. One socket only:
 * the kernel's SYN retransmits keep trying until the far NAT has a mapping, and recreating sockets races. Gives up
 * with a {@link TcpConnectError} naming why.
 */
export async function connectFrom (remote: Candidate, options: ConnectFromOptions): Promise<Socket> {
  options.signal?.throwIfAborted()
  const socket = connect({ host: remote.address, port: remote.port, localAddress: '0.0.0.0', localPort: options.localPort, noDelay: true, keepAlive: true })
  return await new Promise<Socket>((resolve, reject) => {
    const done = (err?: TcpConnectError): void => {
      clearTimeout(timer)
      socket.off('connect', onConnect)
      socket.off('error', onError)
      options.signal?.removeEventListener('abort', onAbort)
      if (err === undefined) {
        resolve(socket)
      } else {
        socket.destroy()
        reject(err)
      }
    }
    const onConnect = (): void => { done() }
    const onError = (err: NodeJS.ErrnoException): void => {
      done(new TcpConnectError(err.code ?? 'error', `connect ${remote.address}:${remote.port} from port ${options.localPort}: ${err.message}`, { cause: err }))
    }
    const onAbort = (): void => { done(new TcpConnectError('aborted', `connect ${remote.address}:${remote.port} aborted`)) }
    const timer = setTimeout(() => {
      done(new TcpConnectError('timeout', `connect ${remote.address}:${remote.port} from port ${options.localPort}: no answer in ${options.timeoutMs} ms`))
    }, options.timeoutMs)
    socket.once('connect', onConnect)
    socket.once('error', onError)
    options.signal?.addEventListener('abort', onAbort, { once: true })
  })
}
