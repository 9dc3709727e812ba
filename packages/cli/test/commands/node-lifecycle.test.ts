import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { createLongTermMemory } from '@tessera/memory'
import { createTesseraNode } from '@tessera/peer'
import { CONFIG_FILE_NAME } from '../../src/config.js'
import { STATUS_FILE_NAME } from '../../src/status-file.js'
import { withTempDir } from '../helpers.js'
import { JsonLines, runTessera, spawnTessera } from './spawn.js'
import type { ChildProcessWithoutNullStreams } from 'node:child_process'

const LOCAL = ['--json', '--network', 'local', '--listen', '/ip4/127.0.0.1/tcp/0', '--device', 'ideal', '--tiles', '4', '--record-ttl-ms', '6000', '--record-refresh-ms', '1000']
const REMEMBERED_PEER = '12D3KooWLkPCSY4B6yhgkTMo9sgUnKx55oZpB5zb3m8LQ8wFDTZY'

/** Resolves with the exit code, or the signal that ended the process. */
async function exited (child: ChildProcessWithoutNullStreams, timeoutMs = 30_000): Promise<number | NodeJS.Signals> {
  if (child.exitCode !== null) return child.exitCode
  if (child.signalCode !== null) return child.signalCode
  return await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error('the node did not stop')) }, timeoutMs)
    child.once('exit', (code, signal) => { clearTimeout(timer); resolve(code ?? signal as NodeJS.Signals) })
  })
}

/** `tessera node` with `env` added to this process's environment. */
function spawnWithEnv (args: string[], env: NodeJS.ProcessEnv): ChildProcessWithoutNullStreams {
  const bin = fileURLToPath(new URL('../../src/bin.js', import.meta.url))
  return spawn(process.execPath, [bin, ...args], { stdio: 'pipe', env: { ...process.env, NO_COLOR: '1', ...env } })
}

describe('tessera node: settings, state, leaving and restarts', () => {
  it('joins through its settings file, shows its state, leaves cleanly on a signal, and survives SIGKILL', async () => {
    await withTempDir(async (dir) => {
      const children: ChildProcessWithoutNullStreams[] = []
      try {
        // A: flags only, with a metrics server.
        const a = spawnTessera(['node', ...LOCAL, '--data-dir', join(dir, 'a'), '--metrics-listen', '127.0.0.1:0'])
        children.push(a)
        const aLines = new JsonLines(a)
        const aUp = await aLines.next('a listening', 'listening')
        assert.match(aUp.metricsAddress ?? '', /^127\.0\.0\.1:\d+$/)

        // B's long-term memory, written before B ever runs.
        const bDir = join(dir, 'b')
        const t0 = Date.now()
        {
          const pre = await createTesseraNode({ dataDir: bDir, network: 'local', serve: false, listen: [] })
          const memory = createLongTermMemory({ datastore: pre.datastore })
          memory.observe(REMEMBERED_PEER, { up: true }, t0)
          assert.equal(await memory.save(t0), 1)
          await pre.stop()
        }
        // B: no flags but its data dir (from the environment); the rest, bootstrap included, from its settings file.
        await writeFile(join(bDir, CONFIG_FILE_NAME), JSON.stringify({ bootstrap: [aUp.addrs[0]], network: 'local', listen: ['/ip4/127.0.0.1/tcp/0'], device: 'ideal', tiles: 4, maxCpu: 1 }))
        // --json from the environment: in the file it would apply to `tessera status` on this data dir too.
        const b = spawnWithEnv(['node'], { TESSERA_DATA_DIR: bDir, TESSERA_JSON: 'true' })
        children.push(b)
        const bLines = new JsonLines(b)
        const bUp = await bLines.next('b listening', 'listening')
        await bLines.next('b joins a', 'peer-connect', (l) => l.peerId === aUp.peerId)

        // State: from A's metrics, and from B's data dir.
        const viaMetrics = await runTessera(['status', '--metrics', aUp.metricsAddress ?? '', '--json'])
        assert.equal(viaMetrics.code, 0, viaMetrics.stderr)
        const aStatus = JSON.parse(viaMetrics.stdout) as Record<string, unknown>
        assert.equal(aStatus.tilesTotal, 4)
        assert.equal(aStatus.reachability, 'public')
        assert.equal(aStatus.natKind, 'none')
        assert.equal(aStatus.leaving, false)
        const viaDataDir = await runTessera(['status', '--data-dir', bDir])
        assert.equal(viaDataDir.code, 0, viaDataDir.stderr)
        assert.match(viaDataDir.stdout, new RegExp(`^tessera node ${bUp.peerId}, pid \\d+\\nreachability public, NAT none, 0 relay reservation\\(s\\)\\ntiles 0/4 used`))

        // A leaves on SIGTERM: it announces leaving, stops with nothing cut, exits 0 and takes its status file away.
        a.kill('SIGTERM')
        assert.equal(await exited(a), 0)
        const leaving = await aLines.next('a leaving', 'leaving')
        assert.equal(leaving.signal, 'SIGTERM')
        const stopped = await aLines.next('a stopped', 'stopped')
        assert.equal(stopped.drained, true)
        assert.equal(stopped.leavingPublished, true)
        assert.equal(existsSync(join(dir, 'a', STATUS_FILE_NAME)), false)
        const gone = await runTessera(['status', '--data-dir', join(dir, 'a')])
        assert.equal(gone.code, 1)
        assert.match(gone.stderr, /no node is running with data dir/)

        // B killed outright: same PeerId on restart, and its long-term memory still reads.
        b.kill('SIGKILL')
        assert.equal(await exited(b), 'SIGKILL')
        const again = await createTesseraNode({ dataDir: bDir, network: 'local', serve: false, listen: [] })
        try {
          assert.equal(again.peerId.toString(), bUp.peerId)
          const memory = createLongTermMemory({ datastore: again.datastore })
          const loaded = await memory.load(Date.now())
          assert.deepEqual({ loaded: loaded.loaded, skipped: loaded.skipped.length }, { loaded: 1, skipped: 0 })
          assert.deepEqual(memory.peers(), [REMEMBERED_PEER])
        } finally {
          await again.stop()
        }

        // A second signal while leaving exits at once.
        const c = spawnWithEnv(['node'], { TESSERA_DATA_DIR: bDir, TESSERA_JSON: 'true', TESSERA_DRAIN_TIMEOUT_MS: '60000' })
        children.push(c)
        const cLines = new JsonLines(c)
        await cLines.next('b restarted', 'listening', (l) => l.peerId === bUp.peerId)
        c.kill('SIGINT')
        await cLines.next('c leaving', 'leaving')
        c.kill('SIGINT')
        assert.equal(await exited(c), 130)
      } finally {
        for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      }
    })
  })
})
