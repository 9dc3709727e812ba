import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { withTempDir } from '../helpers.js'
import { JsonLines, runTessera, spawnTessera } from './spawn.js'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

const stderrOf = new WeakMap<ChildProcessWithoutNullStreams, string>()

function track (child: ChildProcessWithoutNullStreams): ChildProcessWithoutNullStreams {
  child.stderr.on('data', (d) => { stderrOf.set(child, (stderrOf.get(child) ?? '') + String(d)) })
  child.stdout.on('data', (d) => { stderrOf.set(child, (stderrOf.get(child) ?? '') + String(d)) })
  return child
}

async function exitCode (child: ChildProcessWithoutNullStreams, timeoutMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the node did not stop')) }, timeoutMs)
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (code === null) reject(new Error(`the node died of ${signal}; stderr: ${stderrOf.get(child) ?? ''}`))
      else resolve(code)
    })
  })
}

const COMMON = ['--json', '--network', 'local', '--listen', '/ip4/127.0.0.1/tcp/0', '--device', 'ideal', '--tiles', '4', '--record-ttl-ms', '6000', '--record-refresh-ms', '1000']

describe('tessera node (two processes)', () => {
  it('two nodes started from the command line find each other through --bootstrap and stop cleanly on signals', async () => {
    await withTempDir(async (dir) => {
      const children: ChildProcessWithoutNullStreams[] = []
      try {
        const a = track(spawnTessera(['node', ...COMMON, '--data-dir', `${dir}/a`]))
        children.push(a)
        const aLines = new JsonLines(a)
        const aListening = await aLines.next('a listening', 'listening')
        assert.deepEqual(Object.keys(aLines.lines[0]), ['event', 'peerId', 'addrs', 'maxCpu'], 'the first line is the listening event')
        assert.ok(aListening.addrs.length > 0 && aListening.addrs.every((x) => x.endsWith(`/p2p/${aListening.peerId}`)))

        const b = track(spawnTessera(['node', ...COMMON, '--data-dir', `${dir}/b`, '--bootstrap', aListening.addrs[0]]))
        children.push(b)
        const bLines = new JsonLines(b)
        const bListening = await bLines.next('b listening', 'listening')
        assert.notEqual(bListening.peerId, aListening.peerId)
        await bLines.next('b connects to a', 'peer-connect', (l) => l.peerId === aListening.peerId)
        await aLines.next('a sees b', 'peer-connect', (l) => l.peerId === bListening.peerId)
        await bLines.next('b publishes its record to a', 'record-published', (l) => l.peersAcked > 0)

        // A third process joins as a DHT client and lists both records.
        const peers = await runTessera(['peers', '--bootstrap', aListening.addrs[0], '--json'])
        assert.equal(peers.code, 0, peers.stderr)
        const listed = JSON.parse(peers.stdout) as { peers: Array<Record<string, unknown>> }
        assert.deepEqual(listed.peers.map((p) => p.peerId).sort(), [aListening.peerId, bListening.peerId].sort())
        for (const p of listed.peers) {
          assert.equal(p.device, 'ideal')
          assert.equal(p.tilesTotal, 4)
          assert.equal(p.tilesFree, 4)
          assert.equal(p.reachability, 'public')
        }

        b.kill('SIGINT')
        a.kill('SIGTERM')
        assert.equal(await exitCode(b), 0)
        assert.equal(await exitCode(a), 0)
        assert.ok(bLines.lines.some((l) => l.event === 'stopped'))
        assert.ok(aLines.lines.some((l) => l.event === 'leaving' && l.signal === 'SIGTERM'))

        // Same data dir, same identity.
        const again = track(spawnTessera(['node', ...COMMON, '--data-dir', `${dir}/a`]))
        children.push(again)
        const againListening = await new JsonLines(again).next('a restarted', 'listening')
        assert.equal(againListening.peerId, aListening.peerId)
        again.kill('SIGTERM')
        assert.equal(await exitCode(again), 0)
      } finally {
        for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL')
      }
    })
  })
})
