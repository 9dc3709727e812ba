/**
 * The lab's self-check: confinement, NAT behaviour, silent drops, STUN, and hole punching, each judged from raw
 * measurements. Used by `natlab test`; the node:test suite asserts on the same measurements directly.
 */
import { createRng } from '@tessera/crossbar'
import type { Rng } from '@tessera/crossbar'
import { CHECK_PORT_MAX, CHECK_PORT_MIN } from './constants.js'
import type { Lab } from './lab.js'
import { observeMappings, punch, startEchoServer, stunBinding, tryConnect } from './measure.js'
import type { EchoServer } from './measure.js'
import type { LabHost } from './topology.js'

/** Hands out distinct ports from the check range, in a seeded order (fresh ports avoid stale conntrack entries). */
export interface PortAllocator {
  next: () => number
}

export function createPortAllocator (seed: number | string): PortAllocator {
  const rng: Rng = createRng(`natlab-ports/${seed}`)
  const used = new Set<number>()
  const span = CHECK_PORT_MAX - CHECK_PORT_MIN + 1
  return {
    next: () => {
      if (used.size >= span) throw new RangeError('the check port range is exhausted')
      for (;;) {
        const port = CHECK_PORT_MIN + rng.nextInt(span)
        if (!used.has(port)) {
          used.add(port)
          return port
        }
      }
    }
  }
}

/** The outcome of one check. */
export interface CheckResult {
  name: string
  ok: boolean
  detail: string
  ms: number
}

export interface SelfCheckOptions {
  /** Seed of the port choice (default 1). Use a new one to re-run against a lab whose conntrack is still warm. */
  seed?: number | string
  /** Called after each check, for progress output. */
  onResult?: (result: CheckResult) => void
}

function firstLanPeer (lab: Lab, nat: 'cone' | 'symmetric', skip = 0): LabHost | undefined {
  return Object.values(lab.hosts).filter((h) => h.role === 'lan' && h.nat === nat)
    .filter((h, i, all) => all.findIndex((o) => o.router === h.router) === i)[skip]
}

/** Runs every check against a lab that is up, and returns their results (it never throws for a failed check). */
export async function runSelfCheck (lab: Lab, options: SelfCheckOptions = {}): Promise<CheckResult[]> {
  const ports = createPortAllocator(options.seed ?? 1)
  const results: CheckResult[] = []
  const check = async (name: string, body: () => Promise<{ ok: boolean, detail: string }>): Promise<void> => {
    const started = performance.now()
    let result: CheckResult
    try {
      result = { name, ...(await body()), ms: 0 }
    } catch (err) {
      result = { name, ok: false, detail: `error: ${err instanceof Error ? err.message : String(err)}`, ms: 0 }
    }
    result.ms = Math.round(performance.now() - started)
    results.push(result)
    options.onResult?.(result)
  }

  const cone1 = firstLanPeer(lab, 'cone')
  const cone2 = firstLanPeer(lab, 'cone', 1)
  const sym1 = firstLanPeer(lab, 'symmetric')
  const publics = Object.values(lab.hosts).filter((h) => h.role === 'public' && h.name.startsWith('pub'))

  await check('no link or route leads out of the lab', async () => {
    const leaks = await lab.confinement()
    return { ok: leaks.length === 0, detail: leaks.length === 0 ? `${Object.keys(lab.hosts).length + 1} namespaces confined` : leaks.join('; ') }
  })

  if (publics.length < 2) {
    await check('echo servers', async () => ({ ok: false, detail: 'the NAT checks need two public peers (pub1, pub2)' }))
    return results
  }
  const echoes: EchoServer[] = []
  try {
    for (const host of publics.slice(0, 2)) echoes.push(await startEchoServer(lab, host.name, ports.next()))
    const targets = echoes.map((e) => e.endpoint)

    for (const peer of Object.values(lab.hosts).filter((h) => h.role === 'lan' && h.name.endsWith('-a'))) {
      const router = lab.hosts[peer.router ?? '']
      const localPort = ports.next()
      if (peer.nat === 'cone') {
        await check(`${router.name} (cone) keeps ${peer.name}'s source port for every destination`, async () => {
          const seen = await observeMappings(lab, peer.name, localPort, targets)
          const ok = seen.every((o) => o.address === router.publicAddress && o.port === localPort)
          return { ok, detail: `from :${localPort} seen as ${seen.map((o) => o.error ?? `${o.address ?? ''}:${o.port ?? ''}`).join(', ')}` }
        })
      } else {
        await check(`${router.name} (symmetric) maps ${peer.name}'s flows to two destinations to different ports`, async () => {
          const seen = await observeMappings(lab, peer.name, localPort, targets)
          const ok = seen.length === 2 && seen.every((o) => o.address === router.publicAddress && o.port !== undefined) && seen[0].port !== seen[1].port
          return { ok, detail: `from :${localPort} seen as ${seen.map((o) => o.error ?? `${o.address ?? ''}:${o.port ?? ''}`).join(', ')}` }
        })
      }
    }

    if (cone1 !== undefined) {
      const router = lab.hosts[cone1.router ?? '']
      await check(`the STUN responder sees ${cone1.name} at ${router.name}'s address and the same port`, async () => {
        const localPort = ports.next()
        const mapped = await stunBinding(lab, cone1.name, localPort)
        const ok = mapped?.address === router.publicAddress && mapped?.port === localPort
        return { ok, detail: mapped === undefined ? 'no answer' : `from :${localPort} seen as ${mapped.address}:${mapped.port}` }
      })

      const neighbour = router.lanPeers?.find((name) => name !== cone1.name)
      await check(`unsolicited inbound to ${cone1.name} is dropped silently (connect times out, no RST)`, async () => {
        const listener = await startEchoServer(lab, cone1.name, ports.next())
        try {
          const [viaWan, routed, control] = await Promise.all([
            tryConnect(lab, publics[0].name, { address: router.publicAddress ?? '', port: listener.endpoint.port }),
            withRoute(lab, publics[1].name, router.lanSubnet ?? '', router.publicAddress ?? '', async () => await tryConnect(lab, publics[1].name, listener.endpoint)),
            neighbour === undefined ? undefined : tryConnect(lab, neighbour, listener.endpoint)
          ])
          const ok = viaWan.outcome === 'timeout' && routed.outcome === 'timeout' && (control === undefined || control.outcome === 'connected')
          return { ok, detail: `${publics[0].name}→${router.name} WAN: ${viaWan.outcome}; ${publics[1].name}→${listener.endpoint.address} routed via the WAN: ${routed.outcome}${control === undefined ? '' : `; LAN neighbour ${neighbour ?? ''}: ${control.outcome}`}` }
        } finally {
          await listener.stop()
        }
      })
    }

    await check('a closed port on a public host refuses (the probe tells refusal from silence)', async () => {
      const outcome = await tryConnect(lab, publics[0].name, { address: publics[1].publicAddress ?? '', port: ports.next() })
      return { ok: outcome.outcome === 'refused', detail: `${publics[0].name}→${publics[1].name}: ${outcome.outcome}` }
    })

    if (cone1 !== undefined && cone2 !== undefined) {
      await check(`TCP simultaneous open ${cone1.name} ↔ ${cone2.name} (cone ↔ cone) connects`, async () => {
        const result = await punch(lab, cone1.name, cone2.name, { rendezvous: targets[0], localPortA: ports.next(), localPortB: ports.next() })
        const ok = result.a.connected && result.b.connected && result.a.peerToken === `token-${cone2.name}` && result.b.peerToken === `token-${cone1.name}`
        return { ok, detail: `${cone1.name}: ${result.a.connected ? `connected in ${result.a.ms} ms` : result.a.error ?? 'failed'}; ${cone2.name}: ${result.b.connected ? `connected in ${result.b.ms} ms` : result.b.error ?? 'failed'}` }
      })
    }
    if (cone1 !== undefined && sym1 !== undefined) {
      await check(`TCP simultaneous open ${cone1.name} ↔ ${sym1.name} (cone ↔ symmetric) fails`, async () => {
        const result = await punch(lab, cone1.name, sym1.name, { rendezvous: targets[0], localPortA: ports.next(), localPortB: ports.next() })
        const ok = !result.a.connected && !result.b.connected
        return { ok, detail: `${cone1.name}: ${result.a.connected ? 'connected' : result.a.error ?? 'failed'}; ${sym1.name}: ${result.b.connected ? 'connected' : result.b.error ?? 'failed'}` }
      })
    }
  } finally {
    await Promise.all(echoes.map(async (e) => { await e.stop() }))
  }
  return results
}

/**
 * Runs `body` while `host` has a route to `subnet` via `gateway` (both lab addresses), as an attacker on the
 * public segment would set up to reach a LAN directly through its router; removes the route afterwards.
 */
export async function withRoute<T> (lab: Lab, host: string, subnet: string, gateway: string, body: () => Promise<T>): Promise<T> {
  const added = await lab.run(host, ['ip', 'route', 'add', subnet, 'via', gateway])
  if (added.code !== 0) throw new Error(`could not add the route ${subnet} via ${gateway} in ${host}: ${added.stderr.trim()}`)
  try {
    return await body()
  } finally {
    await lab.run(host, ['ip', 'route', 'del', subnet, 'via', gateway])
  }
}
