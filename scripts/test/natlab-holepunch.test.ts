/**
 * The TCP hole-punch service across the NAT lab's real NATs: two libp2p nodes behind the two cone NATs reach each
 * other through a relay on the public segment, and the service turns the relayed connection into a direct one; a
 * cone↔symmetric pair stays relayed with a typed error. Needs root (CI runs it as root after .ci/natlab-deps.sh);
 * without it the tests fail with the reason, never skip silently.
 *
 * The libp2p nodes are packages/holepunch/test/fixtures/peer.ts, run inside the lab namespaces with this
 * process's Node and driven over JSON lines.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { setTimeout as delay } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { JsonLineProcess } from '../natlab/json-lines.js'
import type { JsonLine } from '../natlab/json-lines.js'
import { createLab } from '../natlab/lab.js'
import { requireRoot } from '../natlab/commands.js'
import type { Lab } from '../natlab/lab.js'

/** One lab per test file and process: namespace names are global. */
const prefix = `hp${process.pid}`
/** Direct-connection attempts between the two cone NATs, each with fresh ports. */
const CONE_ATTEMPTS = 10
/** The issue's goal: a direct connection in at least 90% of attempts. */
const CONE_REQUIRED_DIRECT = 9
/** cone↔symmetric attempts in each direction (which side starts alternates). */
const SYMMETRIC_ATTEMPTS_EACH_WAY = 3
const RELAY_PORT = 4001
/**
 * Pause between attempts. libp2p accepts at most 5 inbound connections per second from one IP by default, and a
 * relayed connection counts against the relay's IP on the listener: back-to-back attempts would be refused.
 */
const ATTEMPT_SPACING_MS = 1000
/** Bound on one attempt: dial through the relay, observe, coordinate, up to two punches (6 s each) and upgrades. */
const ATTEMPT_TIMEOUT_MS = 30_000
const START_TIMEOUT_MS = 20_000

const RUNNING_FROM_SOURCE = import.meta.url.endsWith('.ts')

function fixtureArgv (): string[] {
  if (RUNNING_FROM_SOURCE) {
    return [process.execPath, '--import', 'tsx', fileURLToPath(new URL('../../packages/holepunch/test/fixtures/peer.ts', import.meta.url))]
  }
  return [process.execPath, fileURLToPath(new URL('../../../packages/holepunch/dist/test/fixtures/peer.js', import.meta.url))]
}

type Line = JsonLine

/** A fixture process, driven by JSON commands on stdin; `next` waits for (and consumes) the first matching line. */
class Peer extends JsonLineProcess {
  send (command: Record<string, unknown>): void {
    this.child.stdin?.write(JSON.stringify(command) + '\n')
  }

  /** Waits for (and consumes) the first line with one of these events that `match` accepts. */
  async next (event: string | string[], timeoutMs: number, match: (line: Line) => boolean = () => true): Promise<Line> {
    const events = Array.isArray(event) ? event : [event]
    return await this.waitUntil(() => {
      const index = this.lines.findIndex((l) => events.includes(l.event) && match(l))
      if (index >= 0) return this.lines.splice(index, 1)[0]
      const error = this.lines.find((l) => l.event === 'error')
      if (error !== undefined) throw new Error(`${this.host}: fixture reported ${JSON.stringify(error)}`)
      return undefined
    }, timeoutMs, () => `no ${events.join('/')} (lines ${JSON.stringify(this.lines)})`)
  }

  async stop (): Promise<void> {
    await this.stopWith(() => { this.send({ cmd: 'stop' }) }, 5000)
  }
}

async function startPeer (lab: Lab, host: string, args: string[]): Promise<Peer> {
  const peer = new Peer(host, lab.exec(host, [...fixtureArgv(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] }))
  const ready = await peer.next('ready', START_TIMEOUT_MS)
  peer.peerId = String(ready.peerId)
  return peer
}

/** One open connection as the fixture reports it, with the result of an echo over it. */
interface PathReport {
  remoteAddr: string
  direct: boolean
  echoMs?: number
  echoError?: string
}

interface AttemptOutcome {
  direct: boolean
  /** Starter's success event (the peer dialled through the relay starts), if any. */
  success?: Line
  /** Final failures of starter and responder. */
  failures: Line[]
  /** Failures the responder reported on attempts the starter then retried. */
  retries: Line[]
  paths: Line
}

/**
 * One attempt: `dialer` dials `listener` through the relay; the listener's service starts the punch; both report an
 * outcome; then the dialer reports its open connections and pings, and hangs up.
 */
async function attempt (relayAddr: string, dialer: Peer, listener: Peer): Promise<AttemptOutcome> {
  dialer.send({ cmd: 'dial', addr: `${relayAddr}/p2p-circuit/p2p/${listener.peerId}` })
  const dialed = await dialer.next('dialed', ATTEMPT_TIMEOUT_MS)
  assert.match(String(dialed.remoteAddr), /\/p2p-circuit\//)
  const forListener = (l: Line): boolean => l.peer === listener.peerId
  const forDialer = (l: Line): boolean => l.peer === dialer.peerId
  const starter = await listener.next(['punch-success', 'punch-failure'], ATTEMPT_TIMEOUT_MS, (l) => forDialer(l) && l.side === 'starter')
  // The responder reports once per attempt of the starter: wait for its report on the starter's last attempt.
  const responder = await dialer.next(String(starter.event), ATTEMPT_TIMEOUT_MS, (l) => forListener(l) && l.attempts === starter.attempts)
  dialer.send({ cmd: 'paths', peer: listener.peerId })
  const paths = await dialer.next('paths', ATTEMPT_TIMEOUT_MS)
  dialer.send({ cmd: 'hangup', peer: listener.peerId })
  await dialer.next('hungup', ATTEMPT_TIMEOUT_MS)
  const failures = [starter, responder].filter((l) => l.event === 'punch-failure')
  // Reports of the responder on earlier attempts of the starter are still queued: keep them as retries and drop
  // them so the next attempt starts clean.
  const retries: Line[] = []
  for (const p of [dialer, listener]) {
    retries.push(...p.lines.filter((l) => l.event === 'punch-failure'))
    p.lines.splice(0, p.lines.length, ...p.lines.filter((l) => l.event !== 'punch-failure' && l.event !== 'punch-success'))
  }
  return { direct: starter.event === 'punch-success' && responder.event === 'punch-success', success: starter.event === 'punch-success' ? starter : undefined, failures, retries, paths }
}

function median (values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

describe('TCP hole punching across the NAT lab', { timeout: 600_000 }, () => {
  let lab: Lab
  let relayAddr = ''
  const peers: Peer[] = []

  before(async () => {
    requireRoot()
    lab = createLab({ prefix })
    await lab.up()
    const relayIp = lab.hosts.relay.publicAddress
    assert.ok(relayIp !== undefined)
    const relay = await startPeer(lab, 'relay', ['--role', 'relay', '--listen', `/ip4/${relayIp}/tcp/${RELAY_PORT}`, '--seed', 'relay'])
    peers.push(relay)
    relayAddr = `/ip4/${relayIp}/tcp/${RELAY_PORT}/p2p/${relay.peerId}`
  })

  after(async () => {
    await Promise.all(peers.map(async (p) => { await p.stop() }))
    await lab?.down()
  })

  it(`connects two cone-NATed peers directly in ≥ ${CONE_REQUIRED_DIRECT} of ${CONE_ATTEMPTS} attempts`, async () => {
    const [a, b] = await Promise.all([
      startPeer(lab, 'cone1-a', ['--role', 'peer', '--relay', relayAddr, '--seed', 'cone1-a']),
      startPeer(lab, 'cone2-a', ['--role', 'peer', '--relay', relayAddr, '--seed', 'cone2-a'])
    ])
    peers.push(a, b)
    await Promise.all([a.next('reserved', START_TIMEOUT_MS), b.next('reserved', START_TIMEOUT_MS)])
    const outcomes: AttemptOutcome[] = []
    for (let i = 0; i < CONE_ATTEMPTS; i++) {
      if (i > 0) await delay(ATTEMPT_SPACING_MS)
      outcomes.push(await attempt(relayAddr, a, b))
    }

    const direct = outcomes.filter((o) => o.direct)
    for (const o of direct) {
      const success = o.success as Line
      // The direct connection goes to cone2's public address, not through the relay…
      assert.match(String(success.remoteAddr), new RegExp(`^/ip4/${lab.hosts.cone1.publicAddress ?? ''}/tcp/\\d+/p2p/`))
      const connections = o.paths.connections as PathReport[]
      const directConns = connections.filter((c) => c.direct)
      assert.equal(directConns.length, 1, JSON.stringify(connections))
      assert.match(directConns[0].remoteAddr, new RegExp(`^/ip4/${lab.hosts.cone2.publicAddress ?? ''}/tcp/\\d+/p2p/${b.peerId}$`))
      // …carries streams, and is what libp2p picks for new streams to that peer.
      assert.equal(typeof directConns[0].echoMs, 'number', JSON.stringify(directConns[0]))
      assert.equal(o.paths.preferred, directConns[0].remoteAddr)
    }
    const sinceRelayed = direct.map((o) => Number(o.success?.sinceRelayedMs))
    const attemptMs = direct.map((o) => Number(o.success?.ms))
    const firstTry = direct.filter((o) => o.success?.attempt === 1).length
    console.log(`# cone-cone: ${direct.length}/${outcomes.length} direct (${firstTry} on the first punch), relayed→direct median ${median(sinceRelayed).toFixed(0)} ms, range ${Math.min(...sinceRelayed).toFixed(0)}–${Math.max(...sinceRelayed).toFixed(0)} ms (coordination + punch + upgrade median ${median(attemptMs).toFixed(0)} ms); failures ${JSON.stringify(outcomes.flatMap((o) => [...o.failures, ...o.retries].map((f) => `${String(f.side)}: ${String(f.message)}`)))}`)
    assert.ok(direct.length >= CONE_REQUIRED_DIRECT, `only ${direct.length}/${outcomes.length} direct: ${JSON.stringify(outcomes.map((o) => o.failures))}`)
  })

  it('keeps a cone↔symmetric pair relayed and reports a typed error on both sides, whichever side starts', async () => {
    const cone = peers.find((p) => p.host === 'cone1-a') ?? await startPeer(lab, 'cone1-a', ['--role', 'peer', '--relay', relayAddr, '--seed', 'cone1-a'])
    if (!peers.includes(cone)) peers.push(cone)
    const sym = await startPeer(lab, 'sym1-a', ['--role', 'peer', '--relay', relayAddr, '--seed', 'sym1-a'])
    peers.push(sym)
    await sym.next('reserved', START_TIMEOUT_MS)
    const directions = Array.from({ length: SYMMETRIC_ATTEMPTS_EACH_WAY }, () => [[cone, sym], [sym, cone]]).flat()
    for (const [dialer, listener] of directions) {
      await delay(ATTEMPT_SPACING_MS)
      const outcome = await attempt(relayAddr, dialer, listener)
      assert.equal(outcome.direct, false)
      assert.equal(outcome.failures.length, 2, JSON.stringify(outcome.failures))
      for (const failure of outcome.failures) {
        assert.equal(failure.code, 'ERR_UNPREDICTABLE_MAPPING', JSON.stringify(failure))
        assert.equal(failure.attempts, 1, 'an unpredictable mapping is not retried')
      }
      // The relayed connection is still there and carries streams.
      const connections = outcome.paths.connections as PathReport[]
      assert.deepEqual(connections.filter((c) => c.direct), [])
      const relayed = connections.filter((c) => c.remoteAddr.includes('/p2p-circuit/'))
      assert.equal(relayed.length, 1, JSON.stringify(connections))
      assert.equal(typeof relayed[0].echoMs, 'number', JSON.stringify(relayed[0]))
    }
  })
})
