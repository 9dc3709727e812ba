/**
 * A STUN binding responder (RFC 5389, IPv4, binding requests only): the lab's fallback when coturn is not
 * installed. `stun-server --address A --port P [--lifetime-ms N]` (lifetime 0: until killed).
 */
import { createSocket } from 'node:dgram'
import { parseArgs } from 'node:util'
import { emit, fail, parseCount } from './common.js'
import { encodeBindingSuccess, parseBindingRequest } from './stun-message.js'

try {
  const { values } = parseArgs({ options: { address: { type: 'string' }, port: { type: 'string' }, 'lifetime-ms': { type: 'string' } } })
  const address = values.address ?? '0.0.0.0'
  const port = parseCount('port', values.port, 3478)
  const lifetimeMs = parseCount('lifetime-ms', values['lifetime-ms'], 0)
  const socket = createSocket('udp4')
  socket.on('message', (message, from) => {
    const transactionId = parseBindingRequest(message)
    if (transactionId !== undefined) socket.send(encodeBindingSuccess(transactionId, from.address, from.port), from.port, from.address)
  })
  socket.on('error', fail)
  socket.bind(port, address, () => { emit({ event: 'listening', address, port: socket.address().port }) })
  if (lifetimeMs > 0) setTimeout(() => { socket.close() }, lifetimeMs)
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => { socket.close() })
} catch (err) {
  fail(err)
}
