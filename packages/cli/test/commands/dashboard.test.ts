import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { Command } from 'commander'
import type { TesseraNode } from '@tessera/peer'
import { dashboardOption } from '../../src/dashboard/cli-options.js'
import type { DashboardState } from '../../src/dashboard/types.js'
import { startNodes, stopAll } from '../dashboard/network.js'
import { until } from '../dashboard/sse-client.js'
import { JsonLines, runTessera, spawnTessera } from './spawn.js'
import { closedPort, withPortInUse } from '../helpers.js'
import type { DashboardEventLine } from './spawn.js'

const WAIT_MS = 30_000

async function stateOf (url: string): Promise<DashboardState> {
  return await (await fetch(`${url}api/state`)).json() as DashboardState
}

/** Sends SIGTERM and resolves with the exit code. */
async function terminate (child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => { resolve(code) }))
  child.kill('SIGTERM')
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 15_000)
  try {
    return await exited
  } finally {
    clearTimeout(timer)
  }
}

describe('--dashboard [port]', () => {
  const parse = (args: string[]): unknown => new Command().exitOverride().configureOutput({ writeErr: () => {} }).addOption(dashboardOption()).parse(args, { from: 'user' }).opts().dashboard

  it('takes a free port when given without one, a port when given one, and is off when absent', () => {
    assert.equal(parse(['--dashboard']), 0)
    assert.equal(parse(['--dashboard', '8080']), 8080)
    assert.equal(parse([]), undefined)
  })

  it('refuses what is not a port, with a usage error', async () => {
    assert.throws(() => parse(['--dashboard', 'http']), /expected a port from 0 to 65535/)
    const r = await runTessera(['demo', '--dashboard', '70000'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /--dashboard.*expected a port from 0 to 65535/s)
  })
})

describe('tessera dashboard, bad input', () => {
  it('says clearly that the port is in use and exits 1', async () => {
    await withPortInUse(async (port) => {
      const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
      const r = await runTessera(['dashboard', '--bootstrap', `/ip4/127.0.0.1/tcp/${await closedPort()}/p2p/${peer}`, '--port', String(port)])
      assert.equal(r.code, 1, r.stderr)
      assert.match(r.stderr, new RegExp(`error: port ${port} on 127\\.0\\.0\\.1 is in use by another program: pick another port, or 0 for a free one`))
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace')
    })
  })

  it('serves the page anyway when the bootstrap peer does not answer, says why on the terminal and the page, and stops cleanly', async () => {
    const peer = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()
    const addr = `/ip4/127.0.0.1/tcp/${await closedPort()}/p2p/${peer}`
    const child = spawnTessera(['dashboard', '--bootstrap', addr, '--port', '0', '--json', '--retry-ms', '500'])
    try {
      const lines = new JsonLines<DashboardEventLine>(child)
      const { url } = await lines.next('the dashboard address', 'dashboard', () => true, WAIT_MS)
      assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/)
      const notice = await lines.next('the unreachable bootstrap', 'notice', (l) => l.level === 'error', WAIT_MS)
      assert.match(notice.text, /cannot reach the bootstrap peer/)
      assert.ok(notice.text.includes(addr))
      assert.match(notice.text, /ECONNREFUSED|refused/i)
      assert.equal((await fetch(url)).status, 200)
      const state = await stateOf(url)
      assert.equal(state.connected, false)
      assert.deepEqual(state.peers, [])
      assert.ok(state.notices.some((n) => n.text === notice.text))
      assert.equal(await terminate(child), 0)
      await lines.next('the stopping line', 'stopping')
    } finally {
      child.kill('SIGKILL')
    }
  })
})

describe('tessera dashboard on a live network', () => {
  let nodes: TesseraNode[] = []
  let child: ChildProcessWithoutNullStreams | undefined

  before(async () => {
    nodes = await startNodes(2)
  })
  after(async () => {
    child?.kill('SIGKILL')
    await stopAll(nodes)
  })

  it('lists every peer serving with the load it gossips, and marks one that stops gone', async () => {
    child = spawnTessera(['dashboard', '--bootstrap', nodes[0].getMultiaddrs()[0].toString(), '--port', '0', '--json'])
    const lines = new JsonLines<DashboardEventLine>(child)
    const { url } = await lines.next('the dashboard address', 'dashboard', () => true, WAIT_MS)
    let last: DashboardState | undefined
    await until('both nodes serving with gossiped load', async () => {
      last = await stateOf(url)
      return last.peers.length === 2 && last.peers.every((p) => p.state === 'serving' && p.load !== null && p.tilesSource === 'gossip')
    }, WAIT_MS, () => JSON.stringify(last?.peers.map((p) => [p.state, p.load])))
    assert.deepEqual(last?.peers.map((p) => p.peerId).sort(), nodes.map((n) => n.peerId.toString()).sort())
    assert.equal(last?.connected, true)
    const leaving = nodes[1].peerId.toString()
    await nodes[1].stop()
    await lines.next('a notice that the stopped node is gone', 'notice', (l) => l.level === 'warning' && l.text.includes(leaving) && l.text.includes('gone'), WAIT_MS)
    assert.equal((await stateOf(url)).peers.find((p) => p.peerId === leaving)?.state, 'gone')
    assert.equal(await terminate(child), 0)
  })
})
