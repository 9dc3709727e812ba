/**
 * Sends STUN binding requests from a chosen local UDP port and prints the mapped address the server saw:
 * `stun-client --server A:P [--local-port L] [--timeout-ms T]` →
 * `{"event":"mapped","localPort":L,"address":…,"port":…}` or `{"event":"timeout"}`.
 * Retransmits every 200 ms (the lab may have loss) until an answer or the timeout.
 */
import { createSocket } from 'node:dgram'
import { parseArgs } from 'node:util'
import { emit, fail, parseCount, parseEndpoint } from './common.js'
import { encodeBindingRequest, parseBindingSuccess, transactionIdFor } from './stun-message.js'

const RETRANSMIT_MS = 200

try {
  const { values } = parseArgs({ options: { server: { type: 'string' }, 'local-port': { type: 'string' }, 'timeout-ms': { type: 'string' } } })
  const server = parseEndpoint(values.server ?? '')
  const localPort = parseCount('local-port', values['local-port'], 0)
  const timeoutMs = parseCount('timeout-ms', values['timeout-ms'], 3000)
  const socket = createSocket('udp4')
  const sent: Uint8Array[] = []
  let timer: NodeJS.Timeout | undefined
  const finish = (value: unknown): void => {
    clearInterval(timer)
    emit(value)
    socket.close()
  }
  const deadline = setTimeout(() => { finish({ event: 'timeout' }) }, timeoutMs)
  socket.on('error', fail)
  socket.on('message', (message) => {
    for (const id of sent) {
      const mapped = parseBindingSuccess(message, id)
      if (mapped !== undefined) {
        clearTimeout(deadline)
        finish({ event: 'mapped', localPort: socket.address().port, ...mapped })
        return
      }
    }
  })
  socket.bind(localPort, () => {
    const send = (): void => {
      const id = transactionIdFor(socket.address().port, sent.length, process.pid)
      sent.push(id)
      socket.send(encodeBindingRequest(id), server.port, server.address)
    }
    send()
    timer = setInterval(send, RETRANSMIT_MS)
  })
} catch (err) {
  fail(err)
}
