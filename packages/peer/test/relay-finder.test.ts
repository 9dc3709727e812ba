import assert from 'node:assert/strict'
import { afterEach, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { RelayFinder, decideReachability, heldRelays, listensOnCircuit, observedBehindNat } from '../src/index.js'
import type { MappingObservation, RelayFinderComponents, RelayFinderInit } from '../src/index.js'
import type { Multiaddr } from '@multiformats/multiaddr'

const PEER = '12D3KooWLkPCSY4B6yhgkTMo9sgUnKx55oZpB5zb3m8LQ8wFDTZY'
const RELAY_A = '12D3KooWJiNTg9aXrg2d9g9acBy7tGtCQDAtv2Gv6iEgFG2RnZhd'
const RELAY_B = '12D3KooWQYhTNQdmr3ArTeUHRYzFg94BKyTkoWBDWez9kSCVe2Xo'
const LAN = multiaddr('/ip4/192.168.1.2/tcp/4001')
const PUBLIC = multiaddr('/ip4/13.0.0.1/tcp/4001')
const circuitVia = (relay: string, ip: string): Multiaddr => multiaddr(`/ip4/${ip}/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${PEER}`)
const BEHIND_NAT: MappingObservation = { localPort: 4001, observedPort: 4001, observedAddress: '41.0.0.1', localAddresses: ['192.168.1.2', '127.0.0.1'] }
const NO_NAT: MappingObservation = { localPort: 4001, observedPort: 4001, observedAddress: '13.0.0.1', localAddresses: ['13.0.0.1', '127.0.0.1'] }

describe('decideReachability', () => {
  it('a confirmed public direct address decides public at once, whatever else is known', () => {
    assert.equal(decideReachability({ elapsedMs: 0, addrs: [LAN, PUBLIC], observation: BEHIND_NAT, privateAfterMs: 10_000 }), 'public')
  })

  it('a public peer seeing us behind a NAT decides private at once', () => {
    assert.equal(decideReachability({ elapsedMs: 0, addrs: [LAN], observation: BEHIND_NAT, privateAfterMs: 10_000 }), 'private')
  })

  it('without an observation: undecided until the bound, private from it on', () => {
    assert.equal(decideReachability({ elapsedMs: 9_999, addrs: [LAN], privateAfterMs: 10_000 }), 'undecided')
    assert.equal(decideReachability({ elapsedMs: 10_000, addrs: [LAN], privateAfterMs: 10_000 }), 'private')
  })

  it('seen at our own address (no NAT): twice the bound before private', () => {
    assert.equal(decideReachability({ elapsedMs: 19_999, addrs: [LAN], observation: NO_NAT, privateAfterMs: 10_000 }), 'undecided')
    assert.equal(decideReachability({ elapsedMs: 20_000, addrs: [LAN], observation: NO_NAT, privateAfterMs: 10_000 }), 'private')
  })

  it('a circuit address over a public relay is not a public address of our own', () => {
    assert.equal(decideReachability({ elapsedMs: 0, addrs: [circuitVia(RELAY_A, '11.0.0.1')], privateAfterMs: 10_000 }), 'undecided')
  })
})

describe('observedBehindNat and listensOnCircuit', () => {
  it('an observation without addresses says nothing', () => {
    assert.equal(observedBehindNat({ localPort: 1, observedPort: 2 }), undefined)
    assert.equal(observedBehindNat(BEHIND_NAT), true)
    assert.equal(observedBehindNat(NO_NAT), false)
  })

  it('a listen list with a circuit address means the user chose the relay', () => {
    assert.equal(listensOnCircuit(['/ip4/0.0.0.0/tcp/4001']), false)
    assert.equal(listensOnCircuit(['/ip4/0.0.0.0/tcp/4001', `/ip4/11.0.0.1/tcp/4001/p2p/${RELAY_A}/p2p-circuit`]), true)
  })
})

const RELAY_C = '12D3KooWRBy97UB99e3J6hiPesre1MZeuNQvfan4gBziswrRJsNK'
const RELAY_ADDR: Record<string, string> = { [RELAY_A]: '11.0.0.1', [RELAY_B]: '15.0.0.1', [RELAY_C]: '16.0.0.1' }

interface FakeState { addrs: Multiaddr[], observation?: MappingObservation, relays: string[], refuse: Set<string>, nowMs: number, circuitsInUse: Set<string> }

/**
 * A node whose addresses, observation and known relays the test sets. A listen on `<relay>/p2p-circuit` adds the
 * circuit address (the reservation holds) unless the relay is in `refuse`; every listen is recorded. A release
 * withdraws the relay's circuit address unless a relayed connection runs through it (`circuitsInUse`).
 */
function fakeNode (): { c: RelayFinderComponents, state: FakeState, listens: string[], released: string[] } {
  const state: FakeState = { addrs: [LAN], relays: [], refuse: new Set(), nowMs: 0, circuitsInUse: new Set() }
  const listens: string[] = []
  const released: string[] = []
  return {
    state,
    listens,
    released,
    c: {
      getMultiaddrs: () => state.addrs,
      natObservation: () => state.observation,
      listen: async (addrs) => {
        const addr = addrs[0].toString()
        listens.push(addr)
        const relay = Object.keys(RELAY_ADDR).find((r) => addr.includes(r))
        if (relay === undefined) return
        if (state.refuse.has(relay)) throw new Error('reservation refused')
        state.addrs = [...state.addrs, circuitVia(relay, RELAY_ADDR[relay])]
      },
      relayCandidates: async () => state.relays.map((peerId) => ({ peerId, addr: multiaddr(`/ip4/${RELAY_ADDR[peerId]}/tcp/4001/p2p/${peerId}`) })),
      releaseRelay: async (relay) => {
        if (state.circuitsInUse.has(relay)) return false
        released.push(relay)
        state.addrs = state.addrs.filter((ma) => !heldRelays([ma]).has(relay))
        return true
      },
      now: () => state.nowMs
    }
  }
}

describe('heldRelays', () => {
  it('reads the relay peer ids off circuit addresses, ignoring direct ones', () => {
    assert.deepEqual([...heldRelays([LAN, circuitVia(RELAY_A, '11.0.0.1'), circuitVia(RELAY_A, '11.0.0.2'), circuitVia(RELAY_B, '15.0.0.1')])], [RELAY_A, RELAY_B])
  })
})

describe('RelayFinder', () => {
  const finders: RelayFinder[] = []
  afterEach(() => { for (const finder of finders.splice(0)) finder.stop() })

  /**
   * A finder on a fake node, private after 1 s without a confirmed public address; the tests run its checks (its own
   * timer waits a minute), and it is stopped after the test whatever the outcome.
   */
  const fakeFinder = (init: RelayFinderInit = {}): ReturnType<typeof fakeNode> & { finder: RelayFinder } => {
    const node = fakeNode()
    const finder = new RelayFinder(node.c, { privateAfterMs: 1000, checkIntervalMs: 60_000, ...init })
    finders.push(finder)
    return { ...node, finder }
  }

  it('a public node makes no reservation', async () => {
    const { state, listens, finder } = fakeFinder()
    state.relays = [RELAY_A]
    finder.start()
    state.addrs = [LAN, PUBLIC]
    state.nowMs = 5000
    await finder.check()
    assert.equal(finder.reachability(), 'public')
    assert.deepEqual(listens, [])
  })

  it('a NATed node reserves on the relays it knows, one at a time, up to two', async () => {
    const { state, listens, finder } = fakeFinder()
    const decisions: string[] = []
    finder.addEventListener('reachability', (evt) => { decisions.push((evt as CustomEvent<string>).detail) })
    finder.start()
    state.relays = [RELAY_A]
    await finder.check()
    assert.deepEqual(listens, [], 'nothing known about the NAT yet: undecided, no reservation')
    state.observation = BEHIND_NAT
    await finder.check()
    assert.equal(finder.reachability(), 'private')
    assert.deepEqual(listens, [`/ip4/11.0.0.1/tcp/4001/p2p/${RELAY_A}/p2p-circuit`])
    await finder.check()
    assert.equal(listens.length, 1, 'the only relay known is held')
    state.relays = [RELAY_A, RELAY_B]
    await finder.check()
    assert.equal(listens.at(-1), `/ip4/15.0.0.1/tcp/4001/p2p/${RELAY_B}/p2p-circuit`)
    state.relays = [RELAY_A, RELAY_B, RELAY_C]
    await finder.check()
    assert.equal(listens.length, 2, 'two held: no third')
    assert.deepEqual(finder.heldRelays(), [RELAY_A, RELAY_B])
    assert.deepEqual(decisions, ['private'])
  })

  it('a relay that refused is retried after the retry delay, doubled per failure; one that went away is replaced', async () => {
    const { state, listens, finder } = fakeFinder({ retryMs: 5000, reservations: 1 })
    finder.start()
    state.observation = BEHIND_NAT
    state.relays = [RELAY_A]
    state.refuse.add(RELAY_A)
    await finder.check()
    state.nowMs = 4999
    await finder.check()
    assert.equal(listens.length, 1, 'not retried before the delay')
    state.nowMs = 5000
    await finder.check()
    assert.equal(listens.length, 2, 'retried once the delay has passed')
    state.nowMs = 14_999
    await finder.check()
    assert.equal(listens.length, 2, 'the second failure doubles the delay')
    state.refuse.clear()
    state.nowMs = 15_000
    await finder.check()
    assert.equal(listens.length, 3)
    assert.deepEqual(finder.heldRelays(), [RELAY_A])
    // A goes away (its circuit address is withdrawn); B is known: the finder reserves on B.
    state.addrs = [LAN]
    state.relays = [RELAY_A, RELAY_B]
    state.refuse.add(RELAY_A)
    state.nowMs = 16_000
    await finder.check()
    await finder.check()
    assert.deepEqual(finder.heldRelays(), [RELAY_B])
  })

  it('knowing no relay, it hands the search to the transport once', async () => {
    const { state, listens, finder } = fakeFinder()
    finder.start()
    state.nowMs = 999
    await finder.check()
    assert.equal(finder.reachability(), 'undecided')
    state.nowMs = 1000
    await finder.check()
    await finder.check()
    assert.equal(finder.reachability(), 'private')
    assert.deepEqual(listens, ['/p2p-circuit'])
  })

  it('a private node whose public address stays confirmed turns public and releases its reservations, none cut mid-call', async () => {
    const { state, released, finder } = fakeFinder({ releaseAfterMs: 30_000 })
    const decisions: string[] = []
    finder.addEventListener('reachability', (evt) => { decisions.push((evt as CustomEvent<string>).detail) })
    finder.start()
    state.observation = BEHIND_NAT
    state.relays = [RELAY_A, RELAY_B]
    await finder.check()
    await finder.check()
    assert.deepEqual(finder.heldRelays(), [RELAY_A, RELAY_B])
    // AutoNAT confirms a public address; it drops out once before staying: the wait starts again from its return.
    state.addrs = [...state.addrs, PUBLIC]
    state.nowMs = 10_000
    await finder.check()
    state.addrs = state.addrs.filter((ma) => ma !== PUBLIC)
    state.nowMs = 20_000
    await finder.check()
    state.addrs = [...state.addrs, PUBLIC]
    state.nowMs = 30_000
    await finder.check()
    state.nowMs = 59_999
    await finder.check()
    assert.equal(finder.reachability(), 'private', 'confirmed for less than releaseAfterMs since it came back')
    assert.deepEqual(released, [])
    state.circuitsInUse.add(RELAY_B)
    state.nowMs = 60_000
    await finder.check()
    assert.equal(finder.reachability(), 'public')
    assert.deepEqual(released, [RELAY_A], 'B still carries a relayed call: kept')
    state.circuitsInUse.clear()
    state.nowMs = 61_000
    await finder.check()
    await finder.check()
    assert.deepEqual(released, [RELAY_A, RELAY_B], 'each released once')
    assert.deepEqual(finder.heldRelays(), [])
    assert.deepEqual(decisions, ['private', 'public'])
  })

  it('a public node stays public: losing its confirmed address does not send it back to the relays', async () => {
    const { state, listens, finder } = fakeFinder()
    finder.start()
    state.relays = [RELAY_A]
    state.addrs = [LAN, PUBLIC]
    await finder.check()
    state.addrs = [LAN]
    state.observation = BEHIND_NAT
    state.nowMs = 5000
    await finder.check()
    assert.equal(finder.reachability(), 'public')
    assert.deepEqual(listens, [])
  })

  it('a reservation the transport\'s own search made is not released (closing it would start another search)', async () => {
    const { state, listens, released, finder } = fakeFinder({ releaseAfterMs: 1000 })
    finder.start()
    state.nowMs = 1000
    await finder.check()
    assert.deepEqual(listens, ['/p2p-circuit'])
    // The transport found A on its own and reserved there.
    state.addrs = [LAN, circuitVia(RELAY_A, '11.0.0.1'), PUBLIC]
    await finder.check()
    state.nowMs = 2000
    await finder.check()
    assert.equal(finder.reachability(), 'public')
    assert.deepEqual(released, [])
  })
})
