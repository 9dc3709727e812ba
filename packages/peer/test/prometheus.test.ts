import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidNodeOptionError, createTesseraNode, parseListenAddress } from '../src/index.js'
import { FAST, seededFloats, stopAll } from './helpers.js'

/** The value of one sample line (`name{labels} value`) of Prometheus text, or undefined when it is absent. */
function sample (text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `))
  return line === undefined ? undefined : Number(line.slice(series.length + 1))
}

describe('Prometheus metrics of a node', () => {
  it('serves libp2p\'s and tessera\'s metrics on GET /metrics, reflecting what the node did', async () => {
    const server = await createTesseraNode({ ...FAST, metricsListen: '127.0.0.1:0' })
    const client = await createTesseraNode({ ...FAST, serve: false, bootstrap: [server.getMultiaddrs()[0].toString()] })
    try {
      const address = server.metricsAddress()
      assert.match(address ?? '', /^127\.0\.0\.1:\d+$/)
      const shards = client.shardClient(server.peerId)
      await shards.program({ shardId: 's', weights: seededFloats(64 * 64, 'w'), rows: 64, cols: 64, seed: 1 })
      await shards.execute({ shardId: 's', input: seededFloats(2 * 64, 'x'), batch: 2 })
      await shards.execute({ shardId: 's', input: seededFloats(2 * 64, 'y'), batch: 2 })
      const res = await fetch(`http://${address ?? ''}/metrics`)
      assert.equal(res.status, 200)
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/)
      const text = await res.text()
      assert.equal(sample(text, 'tessera_tiles_total'), FAST.tiles)
      assert.equal(sample(text, 'tessera_tiles_used'), 1)
      assert.equal(sample(text, 'tessera_shards_held'), 1)
      assert.equal(sample(text, 'tessera_executes_total'), 2)
      assert.equal(sample(text, 'tessera_execute_duration_seconds_count'), 2)
      assert.equal(sample(text, 'tessera_relay_reservations'), 0)
      assert.equal(sample(text, 'tessera_leaving'), 0)
      // A local network: a direct loopback address is public, with no NAT.
      assert.equal(sample(text, 'tessera_reachability{state="public"}'), 1)
      assert.equal(sample(text, 'tessera_reachability{state="unknown"}'), 0)
      assert.equal(sample(text, 'tessera_nat_kind{kind="none"}'), 1)
      assert.ok((sample(text, 'tessera_connections{path="direct"}') ?? 0) >= 1)
      assert.equal(sample(text, 'tessera_connections{path="relayed"}'), 0)
      // The upload alone is 16 KiB of weights.
      assert.ok((sample(text, 'tessera_bytes_total{direction="in"}') ?? 0) > 64 * 64 * 4)
      assert.ok((sample(text, 'tessera_bytes_total{direction="out"}') ?? 0) > 0)
      assert.match(text, /^# TYPE libp2p_data_transfer_bytes_total counter$/m, 'libp2p\'s own metrics are there too')
      assert.equal((await fetch(`http://${address ?? ''}/other`)).status, 404)
    } finally {
      await stopAll([client, server])
    }
  })

  it('refuses a metrics address that is not host:port before starting anything', async () => {
    assert.deepEqual(parseListenAddress('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 })
    assert.deepEqual(parseListenAddress('[::1]:9464'), { host: '::1', port: 9464 })
    for (const bad of ['9464', '127.0.0.1:', '127.0.0.1:99999', 'http://127.0.0.1:9464']) assert.throws(() => parseListenAddress(bad), InvalidNodeOptionError, bad)
    await assert.rejects(createTesseraNode({ ...FAST, metricsListen: 'localhost' }), InvalidNodeOptionError)
  })
})
