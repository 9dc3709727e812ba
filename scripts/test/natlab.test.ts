/**
 * The NAT lab on the real kernel: needs root and iproute2/nftables (CI runs as root after .ci/natlab-deps.sh).
 * Without them these tests fail with the reason; they never skip silently.
 */
import assert from 'node:assert/strict'
import { once } from 'node:events'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { requireTools, runCommand } from '../natlab/commands.js'
import { LabPrerequisiteError } from '../natlab/errors.js'
import { createLab } from '../natlab/lab.js'
import { requireRoot } from '../natlab/commands.js'
import type { Lab, UpResult } from '../natlab/lab.js'
import { observeMappings, punch, startEchoServer, stunBinding, tryConnect } from '../natlab/measure.js'
import type { EchoServer } from '../natlab/measure.js'
import { createPortAllocator, withRoute } from '../natlab/selfcheck.js'

const prefix = `nt${process.pid}`

async function namespacesWithPrefix (): Promise<string[]> {
  const out = await runCommand(['ip', '-j', 'netns', 'list'])
  if (out.stdout.trim() === '') return []
  return (JSON.parse(out.stdout) as Array<{ name: string }>).map((e) => e.name).filter((n) => n.startsWith(`${prefix}-`))
}

// Counted as a failure (not only as cancelled suites) when the machine cannot run the lab.
it('natlab prerequisites: root, iproute2, nftables, procps', () => {
  assert.doesNotThrow(() => requireTools())
})

describe('natlab on the kernel', { timeout: 120_000 }, () => {
  let lab: Lab
  let built: UpResult
  const ports = createPortAllocator('natlab-test')
  const echoes: EchoServer[] = []

  before(async () => {
    requireRoot()
    lab = createLab({ prefix })
    built = await lab.up()
    echoes.push(await startEchoServer(lab, 'pub1', ports.next()), await startEchoServer(lab, 'pub2', ports.next()))
  })

  after(async () => {
    await Promise.all(echoes.map(async (e) => { await e.stop() }))
    await lab?.down()
  })

  it('builds every planned namespace with its addresses and starts the STUN responder', async () => {
    assert.equal(built.alreadyUp, false)
    const status = await lab.status()
    assert.equal(status.up, true)
    assert.deepEqual(status.hosts.filter((h) => !h.present), [])
    assert.equal(status.stun?.running, true)
    const wan = JSON.parse((await lab.run('cone1', ['ip', '-j', '-4', 'addr', 'show', 'wan'])).stdout) as Array<{ addr_info: Array<{ local: string }> }>
    assert.equal(wan[0].addr_info[0].local, lab.hosts.cone1.publicAddress)
    const lan = JSON.parse((await lab.run('sym1-b', ['ip', '-j', '-4', 'addr', 'show', 'eth0'])).stdout) as Array<{ addr_info: Array<{ local: string }> }>
    assert.equal(lan[0].addr_info[0].local, lab.hosts['sym1-b'].lanAddress)
  })

  it('up again with the same options leaves the running lab alone', async () => {
    const before = await lab.status()
    const again = await lab.up()
    assert.equal(again.alreadyUp, true)
    assert.equal((await lab.status()).stun?.pid, before.stun?.pid)
  })

  it('exec runs a process inside a host, which sees only that host\'s addresses', async () => {
    const child = lab.exec('pub1', [process.execPath, '-e', 'console.log(JSON.stringify(Object.values(require("os").networkInterfaces()).flat().map((i) => i.address)))'])
    let out = ''
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => { out += chunk })
    const [code] = await once(child, 'exit') as [number]
    assert.equal(code, 0)
    assert.deepEqual((JSON.parse(out) as string[]).sort(), ['127.0.0.1', lab.hosts.pub1.publicAddress].sort())
  })

  it('no link or route leads out of the lab, and the check notices one that does', async () => {
    assert.deepEqual(await lab.confinement(), [])
    const added = await lab.run('pub1', ['ip', 'route', 'add', 'default', 'dev', 'eth0'])
    assert.equal(added.code, 0, added.stderr)
    try {
      const leaks = await lab.confinement()
      assert.equal(leaks.length, 1)
      assert.match(leaks[0], new RegExp(`^${prefix}-pub1: IPv4 default route`))
    } finally {
      await lab.run('pub1', ['ip', 'route', 'del', 'default', 'dev', 'eth0'])
    }
    assert.deepEqual(await lab.confinement(), [])
  })

  it('a cone router keeps the LAN source port for every destination', async () => {
    const localPort = ports.next()
    const seen = await observeMappings(lab, 'cone1-a', localPort, echoes.map((e) => e.endpoint))
    assert.deepEqual(seen.map((o) => [o.address, o.port]), [[lab.hosts.cone1.publicAddress, localPort], [lab.hosts.cone1.publicAddress, localPort]])
  })

  it('a symmetric router maps flows to two destinations to different ports', async () => {
    const localPort = ports.next()
    const seen = await observeMappings(lab, 'sym1-a', localPort, echoes.map((e) => e.endpoint))
    assert.equal(seen.length, 2)
    for (const o of seen) assert.equal(o.address, lab.hosts.sym1.publicAddress)
    // fully-random draws each port from ~64k: equal ports by chance have probability ~1.6e-5.
    assert.notEqual(seen[0].port, seen[1].port)
  })

  it('the STUN responder reports the NAT mapping: cone keeps the port, symmetric does not', async () => {
    const conePort = ports.next()
    assert.deepEqual(await stunBinding(lab, 'cone2-a', conePort), { address: lab.hosts.cone2.publicAddress, port: conePort, localPort: conePort })
    const symPort = ports.next()
    const sym = await stunBinding(lab, 'sym2-a', symPort)
    assert.equal(sym?.address, lab.hosts.sym2.publicAddress)
    assert.ok(sym?.port !== undefined)
    const pubPort = ports.next()
    assert.deepEqual(await stunBinding(lab, 'relay', pubPort), { address: lab.hosts.relay.publicAddress, port: pubPort, localPort: pubPort })
  })

  it('unsolicited inbound is dropped silently (timeout), while a closed public port refuses', async () => {
    const listener = await startEchoServer(lab, 'cone1-a', ports.next())
    try {
      const router = lab.hosts.cone1
      const [viaWan, routed, neighbour, closed] = await Promise.all([
        tryConnect(lab, 'pub1', { address: router.publicAddress ?? '', port: listener.endpoint.port }),
        withRoute(lab, 'pub2', router.lanSubnet ?? '', router.publicAddress ?? '', async () => await tryConnect(lab, 'pub2', listener.endpoint)),
        tryConnect(lab, 'cone1-b', listener.endpoint),
        tryConnect(lab, 'relay', { address: lab.hosts.pub1.publicAddress ?? '', port: ports.next() })
      ])
      assert.equal(viaWan.outcome, 'timeout')
      assert.equal(routed.outcome, 'timeout')
      assert.equal(neighbour.outcome, 'connected')
      assert.equal(closed.outcome, 'refused')
    } finally {
      await listener.stop()
    }
  })

  it('a TCP simultaneous open crosses two cone NATs', async () => {
    const result = await punch(lab, 'cone1-a', 'cone2-a', { rendezvous: echoes[0].endpoint, localPortA: ports.next(), localPortB: ports.next() })
    assert.equal(result.a.connected, true, result.a.error)
    assert.equal(result.b.connected, true, result.b.error)
    assert.equal(result.a.peerToken, 'token-cone2-a')
    assert.equal(result.b.peerToken, 'token-cone1-a')
    assert.equal(result.a.remote, `${result.b.observed.address}:${result.b.observed.port}`)
    assert.equal(result.b.remote, `${result.a.observed.address}:${result.a.observed.port}`)
  })

  it('a TCP simultaneous open between cone and symmetric NATs fails', async () => {
    const result = await punch(lab, 'cone1-b', 'sym1-b', { rendezvous: echoes[1].endpoint, localPortA: ports.next(), localPortB: ports.next(), timeoutMs: 4000 })
    assert.equal(result.a.connected, false)
    assert.equal(result.b.connected, false)
  })

  it('the CLI reports the lab as JSON and passes exec\'s exit code through', async () => {
    const main = fileURLToPath(new URL('../natlab/main.js', import.meta.url))
    const status = await runCommand([process.execPath, main, 'status', '--json', '--prefix', prefix])
    assert.equal(status.code, 0, status.stderr)
    const parsed = JSON.parse(status.stdout) as { up: boolean, hosts: Array<{ name: string, namespace: string }> }
    assert.equal(parsed.up, true)
    assert.deepEqual(parsed.hosts.map((h) => h.namespace).sort(), Object.values(lab.hosts).map((h) => h.namespace).sort())
    const exec = await runCommand([process.execPath, main, 'exec', '--prefix', prefix, 'cone2-a', process.execPath, '-e', 'process.exit(7)'])
    assert.equal(exec.code, 7)
    const unknown = await runCommand([process.execPath, main, 'exec', '--prefix', prefix, 'nosuch', 'true'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no host "nosuch"/)
  })

  it('down stops every process in the lab and leaves no namespace with the prefix', async () => {
    const sleeper = lab.exec('relay', [process.execPath, '-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' })
    const exited = once(sleeper, 'exit')
    const stunPid = (await lab.status()).stun?.pid
    await Promise.all(echoes.splice(0).map(async (e) => { await e.stop() }))
    const result = await lab.down()
    assert.equal(result.removedNamespaces.length, Object.keys(lab.hosts).length + 1)
    assert.ok(result.stoppedPids.includes(sleeper.pid ?? -1))
    assert.ok(result.stoppedPids.includes(stunPid ?? -1))
    await exited
    assert.deepEqual(await namespacesWithPrefix(), [])
    assert.deepEqual((await lab.down()).removedNamespaces, [])
  })
})

describe('natlab link impairment', { timeout: 60_000 }, () => {
  const lossPrefix = `nl${process.pid}`
  const lab = createLab({ prefix: lossPrefix, publicPeers: 2, routers: [{ name: 'cone1', nat: 'cone', lanPeers: 1 }] })

  before(() => {
    requireRoot()
  })

  after(async () => { await lab.down() })

  it('drops each frame on each public link with the given probability', async () => {
    const lossPercent = 20
    await lab.up({ lossPercent })
    // 3000 datagrams pub1 → pub2 (nobody listens: the ICMP answers are bridged frames too, and count alike).
    const send = await lab.run('pub1', [process.execPath, '-e', `
      const s = require('dgram').createSocket('udp4'); let n = 0
      const next = () => { if (n++ === 3000) { s.close(); return } s.send(Buffer.alloc(32), 9, '${lab.hosts.pub2.publicAddress ?? ''}', () => setImmediate(next)) }
      next()`])
    assert.equal(send.code, 0, send.stderr)
    const counters = await runCommand(['ip', 'netns', 'exec', `${lossPrefix}-inet`, 'nft', '-j', 'list', 'counters'])
    const named = new Map((JSON.parse(counters.stdout) as { nftables: Array<{ counter?: { name: string, packets: number } }> }).nftables
      .flatMap((e) => e.counter === undefined ? [] : [[e.counter.name, e.counter.packets] as const]))
    const bridged = named.get('bridged') ?? 0
    const dropped = named.get('dropped') ?? 0
    assert.ok(bridged >= 1000, `only ${bridged} frames crossed the bridge`)
    // Two independent per-link decisions: a frame survives with (1 − p)²; 5 standard errors of a binomial share.
    const expected = 1 - (1 - lossPercent / 100) ** 2
    const tolerance = 5 * Math.sqrt(expected * (1 - expected) / bridged)
    assert.ok(Math.abs(dropped / bridged - expected) < tolerance, `dropped ${dropped}/${bridged}, expected ${expected.toFixed(3)} ± ${tolerance.toFixed(3)}`)
  })

  it('adds delay with netem where the kernel has it, and refuses clearly where it does not', async () => {
    const before = await lab.status()
    try {
      await lab.up({ delayMs: 10 })
    } catch (err) {
      assert.ok(err instanceof LabPrerequisiteError && /netem/.test(err.message), String(err))
      // The refusal comes before anything is torn down: the running lab is untouched.
      const after = await lab.status()
      assert.equal(after.up, true)
      assert.equal(after.stun?.pid, before.stun?.pid)
      return
    }
    const qdisc = await lab.run('pub1', ['tc', 'qdisc', 'show', 'dev', 'eth0'])
    assert.match(qdisc.stdout, /netem .*delay 10ms/)
  })
})
