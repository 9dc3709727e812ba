/**
 * Reachability classification of real `tessera node` processes in the NAT lab: a public node verified public by
 * AutoNAT v2, a node behind the cone NAT and one behind the symmetric NAT, started with default flags (no circuit
 * address), classified private with their NAT kind, both holding a reservation on the relay they found; all of it in
 * their capacity records, which `tessera peers` on another public host lists. Needs root (CI runs the lab
 * tests as root after .ci/natlab-deps.sh); without it the test fails with the reason.
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { measureNatDiscovery } from '../natlab/discovery.js'
import { useLabNetwork } from '../natlab/lab-suite.js'

/** One lab per test file and process: namespace names are global. */
const prefix = `re${process.pid}`
/** Records are re-published this often, so one made after classification arrives soon. */
const RECORD_ARGS = ['--record-refresh-ms', '1000', '--record-ttl-ms', '10000', '--dht-timeout-ms', '2000']
const RECORD_TIMEOUT_MS = 30_000

describe('reachability of tessera nodes across the NAT lab', { timeout: 180_000 }, () => {
  const suite = useLabNetwork(prefix, { servers: ['pub1', 'cone1-a', 'sym1-a'], extraArgs: RECORD_ARGS })

  const latest = (host: string): Record<string, unknown> => {
    const line = suite.network().servers[host].lines.findLast((l) => l.event === 'reachability')
    assert.ok(line !== undefined, `${host} printed no reachability line`)
    return line
  }

  it('a public node is verified public by AutoNAT v2 and has no NAT', () => {
    const line = latest('pub1')
    assert.equal(line.reachability, 'public')
    assert.equal(line.natKind, 'none')
    // libp2p lists the public address only once AutoNAT confirmed it.
    const addrs = line.addrs as string[]
    assert.ok(addrs.some((a) => a.startsWith(`/ip4/${suite.lab().hosts.pub1.publicAddress ?? ''}/tcp/`)), JSON.stringify(addrs))
    assert.ok(!addrs.some((a) => a.includes('/p2p-circuit')), 'a public node needs no reservation')
  })

  for (const [host, kind] of [['cone1-a', 'cone'], ['sym1-a', 'symmetric']] as const) {
    it(`a node behind the ${kind} NAT is private, ${kind}, and holds a reservation on the relay`, () => {
      const line = latest(host)
      assert.equal(line.reachability, 'private')
      assert.equal(line.natKind, kind)
      const addrs = line.addrs as string[]
      assert.ok(addrs.some((a) => a.startsWith(`${suite.network().relayAddr ?? ''}/p2p-circuit`)), JSON.stringify(addrs))
      // Its router's public address is not one of its addresses: nothing verified it.
      assert.ok(!addrs.some((a) => a.startsWith(`/ip4/${suite.lab().hosts[host.split('-')[0]].publicAddress ?? ''}/`)), JSON.stringify(addrs))
    })
  }

  it('tessera peers on another public host lists each NATed node as private with its NAT kind', async (t) => {
    const found = await measureNatDiscovery(suite.lab(), suite.network(), 'pub2')
    assert.deepEqual(found.map((d) => [d.host, d.reachability, d.natKind]), [['cone1-a', 'private', 'cone'], ['sym1-a', 'private', 'symmetric']])
    // Times go to the report, not into an assertion.
    for (const d of found) t.diagnostic(`${d.host} listed ${d.discoveredMs} ms after its start`)
  })

  it('capacity records carry reachability and NAT kind', async () => {
    const expected = { pub1: ['public', 'none'], 'cone1-a': ['private', 'cone'], 'sym1-a': ['private', 'symmetric'] } as const
    await Promise.all(Object.entries(expected).map(async ([host, [reachability, natKind]]) => {
      const node = suite.network().servers[host]
      assert.ok(node !== undefined)
      const record = await node.waitFor('record-published', RECORD_TIMEOUT_MS, (l) => l.reachability === reachability && l.natKind === natKind)
      assert.equal(typeof record.sequence, 'number')
    }))
  })
})
