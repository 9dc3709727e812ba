/**
 * One side of a TCP simultaneous open across NATs.
 * `punch --rendezvous A:P --local-port L --token T [--timeout-ms N]`:
 * 1. connects from local port L to an echo server (the rendezvous) and prints
 *    `{"event":"observed","address":…,"port":…}` — the mapping the NAT gave this flow;
 * 2. reads the peer's observed mapping as one JSON line `{"address":…,"port":…}` on stdin;
 * 3. connects from the same local port L to it (the kernel's SYN retransmits do the waiting: one socket, never
 *    recreated, because recreating sockets on a timer races), sends its token, reads the peer's, and prints
 *    `{"event":"result","connected":true,"ms":…,"peerToken":…,"remote":…}` or
 *    `{"event":"result","connected":false,"error":…,"ms":…}`.
 * The rendezvous connection stays open throughout (libuv sets SO_REUSEADDR, so both flows share port L).
 */
import { connect } from 'node:net'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { PUNCH_TIMEOUT_MS } from '../constants.js'
import { emit, fail, parseCount, parseEndpoint, readJsonLine } from './common.js'
import type { Endpoint } from './common.js'

try {
  const { values } = parseArgs({ options: { rendezvous: { type: 'string' }, 'local-port': { type: 'string' }, token: { type: 'string' }, 'timeout-ms': { type: 'string' } } })
  const rendezvous = parseEndpoint(values.rendezvous ?? '')
  const localPort = parseCount('local-port', values['local-port'], 0)
  const timeoutMs = parseCount('timeout-ms', values['timeout-ms'], PUNCH_TIMEOUT_MS)
  const token = values.token ?? String(process.pid)
  if (localPort === 0) throw new Error('--local-port is required: both flows must leave from the same port')

  const control = connect({ host: rendezvous.address, port: rendezvous.port, localPort })
  control.on('error', fail)
  const observed = await new Promise<Endpoint>((resolve) => {
    createInterface({ input: control }).once('line', (line) => { resolve(JSON.parse(line) as Endpoint) })
  })
  emit({ event: 'observed', address: observed.address, port: observed.port })

  const peer = await readJsonLine<Endpoint>()
  const started = performance.now()
  const socket = connect({ host: peer.address, port: peer.port, localPort })
  const finish = (result: Record<string, unknown>): void => {
    emit({ event: 'result', ms: Math.round(performance.now() - started), ...result })
    socket.destroy()
    control.destroy()
    process.exit(0)
  }
  const timer = setTimeout(() => { finish({ connected: false, error: 'timeout' }) }, timeoutMs)
  socket.on('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); finish({ connected: false, error: err.code ?? err.message }) })
  socket.on('connect', () => { socket.write(token + '\n') })
  createInterface({ input: socket }).once('line', (line) => {
    clearTimeout(timer)
    finish({ connected: true, peerToken: line, remote: `${socket.remoteAddress ?? ''}:${socket.remotePort ?? 0}` })
  })
} catch (err) {
  fail(err)
}
