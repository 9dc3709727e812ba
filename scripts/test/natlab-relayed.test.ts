/**
 * Shard traffic between real `tessera node` processes across the NAT lab: a program + execute through the tessera
 * relay equals the same call on a local executor; a relay with circuit relay v2's default limits makes the upload
 * fail with the shard service's typed error; two nodes behind the two cone NATs end on a direct connection. The
 * clients are one-shot processes (scripts/natlab/probes/shard-client) with fresh identities and ports. Needs root.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { useLabNetwork } from '../natlab/lab-suite.js'
import { runShardClient } from '../natlab/matrix.js'

const prefix = `rs${process.pid}`
/** Direct-connection attempts between the two cone NATs, and the goal of ≥ 90% of them. */
const CONE_ATTEMPTS = 10
const CONE_REQUIRED_DIRECT = 9
/** libp2p accepts at most 5 inbound connections per second from one IP by default. */
const ATTEMPT_SPACING_MS = 1000

describe('shard traffic across the NAT lab', { timeout: 300_000 }, () => {
  const suite = useLabNetwork(prefix, { servers: ['cone1-a', 'sym1-a'], limitedRelay: { host: 'pub2', servers: ['sym1-b'] } })

  it('program + execute through the relay equals the same call on a local executor', async () => {
    const net = suite.network()
    // symmetric ↔ symmetric: no punch can succeed, so everything stays on the relayed connection.
    const result = await runShardClient(suite.lab(), 'sym2-a', net.targetOf('sym1-a'), 'relayed-equals-local', ['--local', 'pcm'])
    assert.equal(result.error, undefined, JSON.stringify(result))
    assert.equal(result.connected, true)
    assert.equal(result.relayed, true)
    assert.equal(result.direct, false, JSON.stringify(result))
    assert.equal(result.matchesLocal, true)
    assert.ok((result.punchFailures ?? []).some((f) => f.startsWith('ERR_UNPREDICTABLE_MAPPING')), JSON.stringify(result.punchFailures))
  })

  it('a relay with default limits refuses the upload with LimitedConnectionRefusedError', async () => {
    const net = suite.network()
    const target = net.targetOf('sym1-b')
    assert.ok(target.startsWith(`${net.limitedRelayAddr ?? '(none)'}/p2p-circuit/`), target)
    const result = await runShardClient(suite.lab(), 'sym2-a', target, 'limited-relay')
    assert.equal(result.connected, true, JSON.stringify(result))
    assert.equal(result.relayed, true)
    assert.equal(result.error?.name, 'LimitedConnectionRefusedError', JSON.stringify(result))
    assert.equal(result.error?.code, 'LIMITED_CONNECTION')
    assert.match(result.error?.message ?? '', /bytes left/)
  })

  it(`connects two cone-NATed tessera nodes directly in ≥ ${CONE_REQUIRED_DIRECT} of ${CONE_ATTEMPTS} attempts`, async () => {
    const net = suite.network()
    const results = []
    for (let i = 0; i < CONE_ATTEMPTS; i++) {
      if (i > 0) await delay(ATTEMPT_SPACING_MS)
      results.push(await runShardClient(suite.lab(), 'cone2-a', net.targetOf('cone1-a'), `cone-cone/${i}`))
    }
    for (const r of results) {
      // Every attempt gets its shard result, over the relay or directly.
      assert.equal(r.error, undefined, JSON.stringify(r))
      assert.equal(r.relayed, true)
    }
    const direct = results.filter((r) => r.direct === true).length
    console.log(`# cone-cone between tessera nodes: ${direct}/${results.length} direct; failures ${JSON.stringify(results.flatMap((r) => r.punchFailures ?? []))}`)
    assert.ok(direct >= CONE_REQUIRED_DIRECT, `only ${direct}/${results.length} direct: ${JSON.stringify(results.map((r) => r.punchFailures))}`)
  })
})
