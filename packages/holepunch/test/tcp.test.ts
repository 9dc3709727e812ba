import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { describe, it } from 'node:test'
import { TcpConnectError } from '../src/errors.js'
import { connectFrom } from '../src/tcp.js'
import { waitFor } from './helpers.js'
import type { AddressInfo, Socket } from 'node:net'

describe('connectFrom', () => {
  it('leaves from the requested local port, and a second socket can share that port', async () => {
    const server = createServer()
    const seen: number[] = []
    const accepted: Socket[] = []
    server.on('connection', (s: Socket) => { seen.push(s.remotePort ?? 0); accepted.push(s) })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const target = { address: '127.0.0.1', port: (server.address() as AddressInfo).port }
    const first = await connectFrom(target, { localPort: 0, timeoutMs: 2000 })
    const localPort = first.localPort ?? 0
    assert.ok(localPort > 0)
    // The punch binds the port of the still-open observer socket: SO_REUSEADDR on both makes that legal. The
    // second flow needs another destination (the same 4-tuple cannot exist twice), here a second server.
    const server2 = createServer()
    server2.on('connection', (s: Socket) => { seen.push(s.remotePort ?? 0); accepted.push(s) })
    server2.listen(0, '127.0.0.1')
    await once(server2, 'listening')
    const second = await connectFrom({ address: '127.0.0.1', port: (server2.address() as AddressInfo).port }, { localPort, timeoutMs: 2000 })
    assert.equal(second.localPort, localPort)
    await waitFor('both connections accepted', () => seen.length >= 2 ? true : undefined)
    assert.deepEqual(seen, [localPort, localPort])
    for (const s of [first, second, ...accepted]) s.destroy()
    server.close()
    server2.close()
  })

  it('reports a refused connection and an abort as failures', async () => {
    const server = createServer()
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const port = (server.address() as AddressInfo).port
    server.close()
    await once(server, 'close')
    await assert.rejects(connectFrom({ address: '127.0.0.1', port }, { localPort: 0, timeoutMs: 2000 }), (err: unknown) => err instanceof TcpConnectError && err.reason === 'ECONNREFUSED')
    const aborted = new AbortController()
    aborted.abort()
    await assert.rejects(connectFrom({ address: '127.0.0.1', port }, { localPort: 0, timeoutMs: 2000, signal: aborted.signal }))
  })
})
