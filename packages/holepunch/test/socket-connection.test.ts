/**
 * The socket → MultiaddrConnection → upgrade path between two real libp2p nodes on 127.0.0.1, as the service runs
 * it after a punch: a raw TCP socket on each side, upgraded with the roles the election gives.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { createServer, connect } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { identify } from '@libp2p/identify'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { electRole } from '../src/roles.js'
import { socketToMultiaddrConnection } from '../src/socket-connection.js'
import { seededKey, stopAll } from './helpers.js'
import type { Connection, Libp2p, MessageStreamDirection } from '@libp2p/interface'
import type { Socket } from 'node:net'

const ECHO = '/tessera-test/echo/1.0.0'

interface Internals { components: { upgrader: { upgradeOutbound: (c: unknown, o: unknown) => Promise<Connection>, upgradeInbound: (c: unknown, o: unknown) => Promise<void> } } }

async function startNode (seed: string): Promise<Libp2p> {
  const node = await createLibp2p({
    privateKey: await seededKey(seed),
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    services: { identify: identify() }
  })
  await node.handle(ECHO, async (stream) => {
    for await (const chunk of stream) stream.send(chunk)
    await stream.close()
  })
  return node
}

/** A connected pair of sockets on 127.0.0.1. */
async function socketPair (): Promise<[Socket, Socket]> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no server address')
  const accepted = once(server, 'connection') as Promise<[Socket]>
  const client = connect({ host: '127.0.0.1', port: address.port })
  await once(client, 'connect')
  const [serverSide] = await accepted
  server.close()
  return [client, serverSide]
}

async function echo (connection: Connection, text: string): Promise<string> {
  const stream = await connection.newStream(ECHO, { signal: AbortSignal.timeout(5000) })
  stream.send(new TextEncoder().encode(text))
  await stream.close()
  const chunks: Uint8Array[] = []
  for await (const chunk of stream) chunks.push(chunk.subarray())
  return Buffer.concat(chunks).toString()
}

/**
 * Upgrades both sockets: the node whose role is outbound calls upgradeOutbound and gets the connection back, the
 * other calls upgradeInbound and finds it among its connections. `roles` overrides the election (to show it matters).
 */
async function upgradePair (a: Libp2p, b: Libp2p, roles?: [MessageStreamDirection, MessageStreamDirection]): Promise<[Connection, Connection]> {
  const [sa, sb] = await socketPair()
  const [ra, rb] = roles ?? [electRole(a.peerId, b.peerId), electRole(b.peerId, a.peerId)]
  const upgrade = async (node: Libp2p, socket: Socket, role: MessageStreamDirection, remote: Libp2p): Promise<Connection> => {
    const remoteAddr = multiaddr(`/ip4/127.0.0.1/tcp/${socket.remotePort ?? 0}/p2p/${remote.peerId.toString()}`)
    const maConn = socketToMultiaddrConnection({ socket, remoteAddr, direction: role, log: node.logger.forComponent('test:punched') })
    const { upgrader } = (node as unknown as Internals).components
    const signal = AbortSignal.timeout(5000)
    try {
      if (role === 'outbound') return await upgrader.upgradeOutbound(maConn, { signal })
      await upgrader.upgradeInbound(maConn, { signal })
    } catch (err) {
      maConn.abort(err as Error)
      throw err
    }
    const found = node.getConnections(remote.peerId).find((c) => c.remoteAddr.equals(remoteAddr))
    if (found === undefined) throw new Error('the inbound upgrade left no connection')
    return found
  }
  return await Promise.all([upgrade(a, sa, ra, b), upgrade(b, sb, rb, a)])
}

describe('punched socket upgrade on 127.0.0.1', () => {
  let a: Libp2p
  let b: Libp2p

  before(async () => {
    [a, b] = await Promise.all([startNode('upgrade-a'), startNode('upgrade-b')])
  })

  after(async () => {
    await stopAll([a, b])
  })

  it('with elected roles both nodes get a direct connection that carries streams both ways', async () => {
    const [ca, cb] = await upgradePair(a, b)
    assert.equal(ca.remotePeer.equals(b.peerId), true)
    assert.equal(cb.remotePeer.equals(a.peerId), true)
    assert.equal(ca.direct, true)
    assert.equal(cb.direct, true)
    assert.notEqual(ca.direction, cb.direction)
    assert.equal(await echo(ca, 'from a'), 'from a')
    assert.equal(await echo(cb, 'from b'), 'from b')
    // Several streams at once in both directions exercise the muxer's client/server stream ids.
    const texts = Array.from({ length: 6 }, (_, i) => `stream ${i}`)
    const results = await Promise.all(texts.map(async (t, i) => await echo(i % 2 === 0 ? ca : cb, t)))
    assert.deepEqual(results, texts)
    await ca.close()
  })

  it('when both sides act as outbound the upgrade fails', async () => {
    await assert.rejects(upgradePair(a, b, ['outbound', 'outbound']))
  })
})
