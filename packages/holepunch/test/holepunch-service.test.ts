/**
 * The service on 127.0.0.1 without the NAT lab: option validation, and the coordination protocol over a real
 * relayed connection on its failure paths (which need no NAT). Direct connections across NATs are tested in the
 * lab (scripts/test/natlab-holepunch.test.ts).
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import {
  HolePunchError, InvalidHolePunchMessageError, InvalidHolePunchOptionError, NotRelayedError, ObservationFailedError,
  HolePunchRejectedError, tcpHolePunch
} from '../src/index.js'
import { resolveSettings } from '../src/holepunch-service.js'
import { seededPeerId, startPunchNode, startRelay, stopAll, waitFor } from './helpers.js'
import type { HolePunchFailure } from '../src/index.js'
import type { PunchNode, RelayNode } from './helpers.js'
import type { Connection } from '@libp2p/interface'

function collectFailures (node: PunchNode): HolePunchFailure[] {
  const failures: HolePunchFailure[] = []
  node.services.holePunch.addEventListener('hole-punch:failure', (evt) => { failures.push(evt.detail) })
  return failures
}

describe('tcpHolePunch options', () => {
  it('fills in documented defaults', () => {
    const s = resolveSettings({})
    assert.equal(s.protocol, '/tessera/holepunch/1.0.0')
    assert.equal(s.autoPunch, true)
    assert.equal(s.requirePortPreservation, true)
    assert.equal(s.allowPrivateCandidates, false)
    assert.deepEqual(s.observers, [])
  })

  it('rejects bad numbers and observer addresses with InvalidHolePunchOptionError', async () => {
    for (const init of [{ attempts: 0 }, { attempts: 1.5 }, { punchTimeoutMs: -1 }, { observeTimeoutMs: Number.NaN }, { retryDelayMs: -5 }]) {
      assert.throws(() => tcpHolePunch(init), InvalidHolePunchOptionError, JSON.stringify(init))
    }
    const id = (await seededPeerId('observer')).toString()
    assert.throws(() => tcpHolePunch({ observers: [`/ip4/11.0.0.1/tcp/4001`] }), InvalidHolePunchOptionError)
    assert.throws(() => tcpHolePunch({ observers: [`/dns4/relay.example/tcp/4001/p2p/${id}`] }), InvalidHolePunchOptionError)
    assert.throws(() => tcpHolePunch({ observers: ['not a multiaddr'] }), InvalidHolePunchOptionError)
    assert.deepEqual(resolveSettings({ observers: [`/ip4/11.0.0.1/tcp/4001/p2p/${id}`] }).observers.map((o) => [o.peerId.toString(), o.address]), [[id, { address: '11.0.0.1', port: 4001 }]])
  })
})

describe('tcpHolePunch on 127.0.0.1', () => {
  let relay: RelayNode
  let relayAddr: string
  const nodes: PunchNode[] = []

  before(async () => {
    relay = await startRelay('service-relay')
    relayAddr = relay.getMultiaddrs()[0].toString()
  })

  after(async () => {
    await stopAll([...nodes, relay])
  })

  /** Two nodes reserved on the relay, the first dialling the second through it. */
  async function relayedPair (seeds: [string, string], init: Parameters<typeof startPunchNode>[1]): Promise<{ dialer: PunchNode, listener: PunchNode, relayed: Connection }> {
    const [dialer, listener] = await Promise.all(seeds.map(async (seed) => await startPunchNode(seed, init, relayAddr)))
    nodes.push(dialer, listener)
    const circuit = await waitFor('a reservation', () => listener.getMultiaddrs().find((ma) => ma.toString().includes('/p2p-circuit')))
    const relayed = await dialer.dial(multiaddr(circuit.toString()), { signal: AbortSignal.timeout(10_000) })
    return { dialer, listener, relayed }
  }

  it('refuses to punch over a direct connection', async () => {
    const [x, y] = await Promise.all([startPunchNode('direct-x', { autoPunch: false }), startPunchNode('direct-y', { autoPunch: false })])
    nodes.push(x, y)
    const failures = collectFailures(x)
    const direct = await x.dial(y.getMultiaddrs()[0], { signal: AbortSignal.timeout(10_000) })
    await assert.rejects(x.services.holePunch.punch(direct), NotRelayedError)
    assert.equal(failures.length, 1)
    assert.equal(failures[0].error.code, NotRelayedError.code)
  })

  it('an observation failure is reported to both sides as typed errors and the relayed connection stays', async () => {
    // The observer is the relay's peer id at a port nothing listens on: the connect is refused at once.
    const observer = `/ip4/127.0.0.1/tcp/1/p2p/${relay.peerId.toString()}`
    const { dialer, listener, relayed } = await relayedPair(['observe-fail-a', 'observe-fail-b'], { autoPunch: false, attempts: 2, retryDelayMs: 0, observers: [observer] })
    const dialerFailures = collectFailures(dialer)
    const listenerFailures = collectFailures(listener)
    const error = await dialer.services.holePunch.punch(relayed).then(() => undefined, (err: unknown) => err)
    assert.ok(error instanceof ObservationFailedError, String(error))
    assert.equal(error.retryable, true)
    assert.deepEqual(dialerFailures.map((f) => [f.side, f.error.code, f.attempts]), [['starter', ObservationFailedError.code, 2]])
    // The listener answered both attempts and heard the dialer's reason each time.
    const heard = await waitFor('two responder failures', () => listenerFailures.length >= 2 ? listenerFailures : undefined)
    assert.deepEqual(heard.map((f) => [f.side, f.error.code, f.attempts, (f.error as HolePunchRejectedError).reason]), [
      ['responder', HolePunchRejectedError.code, 1, 'observation-failed'],
      ['responder', HolePunchRejectedError.code, 2, 'observation-failed']
    ])
    assert.equal(relayed.status, 'open')
    assert.equal(dialer.getConnections(listener.peerId).filter((c) => c.direct).length, 0)
  })

  it('a peer that announces a loopback candidate is refused by the other side', async () => {
    // On 127.0.0.1 the relay observes 127.0.0.1:port, which the listener (allowPrivateCandidates: false) must not
    // accept as a place to connect to.
    const { dialer, listener, relayed } = await relayedPair(['loopback-a', 'loopback-b'], { autoPunch: false, attempts: 1 })
    const listenerFailures = collectFailures(listener)
    const error = await dialer.services.holePunch.punch(relayed).then(() => undefined, (err: unknown) => err)
    assert.ok(error instanceof HolePunchError, String(error))
    const failure = await waitFor('the listener failure', () => listenerFailures[0])
    assert.equal(failure.side, 'responder')
    assert.ok(failure.error instanceof InvalidHolePunchMessageError, String(failure.error))
    assert.match(failure.error.message, /not a public address: 127\.0\.0\.1/)
    assert.equal(relayed.status, 'open')
  })

  it('starts by itself on the side that was dialled through the relay', async () => {
    const { dialer, listener } = await relayedPair(['auto-a', 'auto-b'], { attempts: 1 })
    const listenerFailures = collectFailures(listener)
    const dialerFailures = collectFailures(dialer)
    // Nothing is called: the listener's topology sees the relayed connection once identify completes and starts.
    const started = await waitFor('an automatic attempt', () => listenerFailures[0])
    assert.equal(started.side, 'starter')
    assert.equal(started.peer.equals(dialer.peerId), true)
    const answered = await waitFor('the dialer answering', () => dialerFailures[0])
    assert.equal(answered.side, 'responder')
  })
})
