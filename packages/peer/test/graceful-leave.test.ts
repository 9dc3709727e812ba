import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { PeerLeavingError } from '@tessera/wire'
import { createTesseraNode, leaveGracefully } from '../src/index.js'
import { FAST, seededFloats, stopAll, waitFor } from './helpers.js'
import type { TesseraNode } from '../src/index.js'

const SIZE = 64
const BATCH = 8
/** Emulated rate: one execute of BATCH × SIZE × SIZE MACs blocks the worker this long. */
const EXECUTE_MS = 600

async function serverAndClient (): Promise<[TesseraNode, TesseraNode]> {
  // A short DHT timeout: with only a client connected, no DHT server acknowledges the leaving record.
  const server = await createTesseraNode({ ...FAST, dhtTimeoutMs: 1_000, emulatedMacsPerSecond: (BATCH * SIZE * SIZE) / (EXECUTE_MS / 1000) })
  const client = await createTesseraNode({ ...FAST, serve: false, bootstrap: [server.getMultiaddrs()[0].toString()] })
  return [server, client]
}

describe('a node leaving the network', () => {
  it('finishes the call in flight, refuses a new one with PeerLeavingError, publishes leaving, then stops', async () => {
    const [server, client] = await serverAndClient()
    try {
      const shards = client.shardClient(server.peerId)
      await shards.program({ shardId: 's', weights: seededFloats(SIZE * SIZE, 'w'), rows: SIZE, cols: SIZE, seed: 1 })
      const inFlight = shards.execute({ shardId: 's', input: seededFloats(BATCH * SIZE, 'x'), batch: BATCH })
      // Queued in the executor: dispatched before the node starts leaving.
      await waitFor('the execute to reach the executor', () => (server.executor?.queueDepth() ?? 0) > 0 ? true : undefined, 10_000, 5)
      const leaving = server.leave({ drainTimeoutMs: 20_000 })
      assert.equal(server.isLeaving(), true)
      await assert.rejects(shards.execute({ shardId: 's', input: seededFloats(BATCH * SIZE, 'y'), batch: BATCH }), PeerLeavingError)
      await assert.rejects(shards.program({ shardId: 't', weights: seededFloats(SIZE * SIZE, 'w2'), rows: SIZE, cols: SIZE, seed: 2 }), PeerLeavingError)
      const reply = await inFlight
      assert.equal(reply.output.length, BATCH * SIZE)
      const result = await leaving
      assert.equal(result.drained, true)
      assert.equal(result.published?.record.leaving, true)
      assert.equal(server.libp2p.status, 'stopped')
    } finally {
      await stopAll([client, server])
    }
  })

  it('stops after the drain bound when a call does not finish', async () => {
    let stopped = false
    const result = await leaveGracefully({
      startLeaving: () => {},
      // A call that never finishes within the bound.
      drained: async () => false,
      publish: async () => await new Promise<never>(() => {}),
      stop: async () => { stopped = true }
    }, { drainTimeoutMs: 50 })
    assert.equal(result.drained, false)
    assert.equal(result.published, undefined, 'a publication that never ends does not hold the node')
    assert.equal(stopped, true)
  })
})
