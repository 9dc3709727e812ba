/**
 * A TCP server that tells each client the address and port it sees the client at (after any NAT):
 * `echo --port P [--address A] [--lifetime-ms N]`. Prints `{"event":"listening",…}` once ready; sends each client
 * one line `{"address":…,"port":…}` and keeps the connection open until the client closes it, so a client can
 * hold its mapping (a hole-punch rendezvous). Exits after the lifetime (default 120 s) or on SIGTERM.
 */
import { createServer } from 'node:net'
import type { Socket } from 'node:net'
import { parseArgs } from 'node:util'
import { PROBE_SERVER_LIFETIME_MS } from '../constants.js'
import { emit, fail, parseCount } from './common.js'

try {
  const { values } = parseArgs({ options: { port: { type: 'string' }, address: { type: 'string' }, 'lifetime-ms': { type: 'string' } } })
  const port = parseCount('port', values.port, 0)
  const lifetimeMs = parseCount('lifetime-ms', values['lifetime-ms'], PROBE_SERVER_LIFETIME_MS)
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    socket.on('data', () => {})
    socket.write(JSON.stringify({ address: socket.remoteAddress, port: socket.remotePort }) + '\n')
  })
  const stop = (): void => {
    server.close()
    for (const socket of sockets) socket.destroy()
  }
  server.on('error', fail)
  server.listen(port, values.address ?? '0.0.0.0', () => {
    const bound = server.address()
    emit({ event: 'listening', port: typeof bound === 'object' && bound !== null ? bound.port : port })
  })
  setTimeout(stop, lifetimeMs).unref()
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, stop)
} catch (err) {
  fail(err)
}
