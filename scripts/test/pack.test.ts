// The volunteer's launcher, end to end: `npm run pack`'s tarball, run with `npx ./<tarball> node …` in a folder
// holding nothing else, with an empty npm cache, starts a node that joins a node started from this repository, publishes
// its capacity record, and executes a shard bit for bit as the local executor does.
//
// Needs the npm registry for the third-party dependencies (libp2p, level, …): the first install takes ~20 s.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { copyFile, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, delimiter, dirname, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { peerIdFromString } from '@libp2p/peer-id'
import { createDeviceProfile, createRng, createTilePool } from '@tessera/crossbar'
import { ShardExecutor, createTesseraNode } from '@tessera/peer'
import { packTessera } from '../pack/index.js'
import type { PackResult } from '../pack/index.js'
import type { ChildProcess } from 'node:child_process'
import type { TesseraNode } from '@tessera/peer'

/** scripts/dist/test → the repository root (compiled), or scripts/test → root (tsx). */
const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = basename(resolve(here, '..')) === 'dist' ? resolve(here, '..', '..', '..') : resolve(here, '..', '..')
const repoBin = join(repoRoot, 'node_modules', '.bin')

const TILES = 4
// Refreshed often so the record reaches the DHT soon after the node joins; a long lifetime so that a loaded machine
// (the suite runs test files in parallel) cannot let it expire between publication and reading.
const RECORD = { recordTtlMs: 60_000, recordRefreshMs: 2_000 }
const INSTALL_TIMEOUT_MS = 150_000
const SETTLE_TIMEOUT_MS = 60_000
const STOP_TIMEOUT_MS = 20_000

/** Calls `read` until it returns a value or SETTLE_TIMEOUT_MS passes. */
async function poll<T> (read: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + SETTLE_TIMEOUT_MS
  while (true) {
    const value = await read()
    if (value !== undefined || Date.now() >= deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** The environment of a volunteer: the repo's Node 24 first on PATH (the machine's own is 20), a private npm cache. */
function volunteerEnv (cacheDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: [repoBin, process.env.PATH ?? ''].join(delimiter),
    npm_config_cache: cacheDir,
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false'
  }
  // Nothing of the test runner's own process may leak into the volunteer's.
  delete env.NODE_OPTIONS
  delete env.NODE_TEST_CONTEXT
  return env
}

function floats (n: number, seed: string): Float32Array {
  const rng = createRng(seed)
  const out = new Float32Array(n)
  for (let i = 0; i < n; i++) out[i] = rng.nextFloat() * 2 - 1
  return out
}

interface Event { event: string, [key: string]: unknown }

/** The packed node's stdout, one JSON event a line; waits for an event matching a predicate. */
class EventLog {
  readonly events: Event[] = []
  readonly junk: string[] = []
  private readonly waiters = new Set<() => void>()
  closed = false

  constructor (child: ChildProcess) {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })
    lines.on('line', (line) => {
      try {
        this.events.push(JSON.parse(line) as Event)
      } catch {
        this.junk.push(line)
      }
      this.notify()
    })
    // stdout closes once every process holding it (npx and the tessera node it started) has exited.
    lines.on('close', () => { this.closed = true; this.notify() })
  }

  private notify (): void {
    for (const w of this.waiters) w()
  }

  async waitFor (what: string, match: (e: Event) => boolean, timeoutMs: number, stderr: () => string): Promise<Event> {
    return await new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.events.find(match)
        if (found !== undefined) { done(); resolve(found); return }
        if (this.closed) { done(); reject(new Error(`the packed node exited before ${what}; stderr: ${stderr().slice(-2000)}`)) }
      }
      const timer = setTimeout(() => { done(); reject(new Error(`no ${what} within ${timeoutMs} ms; stderr: ${stderr().slice(-2000)}`)) }, timeoutMs)
      const done = (): void => { clearTimeout(timer); this.waiters.delete(check) }
      this.waiters.add(check)
      check()
    })
  }

  async waitClosed (timeoutMs: number): Promise<boolean> {
    return await new Promise((resolve) => {
      const check = (): void => { if (this.closed) { done(); resolve(true) } }
      const timer = setTimeout(() => { done(); resolve(false) }, timeoutMs)
      const done = (): void => { clearTimeout(timer); this.waiters.delete(check) }
      this.waiters.add(check)
      check()
    })
  }
}

describe('the packed tessera CLI, run with npx from its tarball in a fresh folder', () => {
  let tmp: string
  let packed: PackResult
  let repoNode: TesseraNode | undefined
  let child: ChildProcess | undefined
  let log: EventLog
  let stderr = ''
  let installMs = 0
  let packedPeerId = ''

  /** Stops npx and the node it started: their process group (the child was spawned detached, as a group leader). */
  async function stopChild (signal: NodeJS.Signals): Promise<boolean> {
    if (child?.pid === undefined || log.closed) return true
    try { process.kill(-child.pid, signal) } catch { return log.closed }
    return await log.waitClosed(STOP_TIMEOUT_MS)
  }

  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'tessera-pack-test-'))
    packed = await packTessera({ repoRoot, outDir: join(tmp, 'out') })
    const cwd = join(tmp, 'volunteer')
    await mkdir(cwd)
    const env = volunteerEnv(join(tmp, 'npm-cache'))
    const version = spawnSync('node', ['-p', 'process.versions.node'], { env, encoding: 'utf8' }).stdout.trim()
    assert.ok(Number(version.split('.')[0]) >= 22, `npx would run the node on Node ${version}; the repo's node_modules/.bin must hold Node ≥ 22`)

    repoNode = await createTesseraNode({ network: 'local', serve: false, dhtClientMode: false, ...RECORD })
    const bootstrap = repoNode.getMultiaddrs()[0].toString()
    const started = performance.now()
    // What a volunteer types after downloading the tarball into a folder (`npx /absolute/x.tgz` would not do: npx
    // runs an absolute path as a program; `file:/absolute/x.tgz` works too).
    await copyFile(packed.tarball, join(cwd, basename(packed.tarball)))
    child = spawn('npx', ['--yes', `./${basename(packed.tarball)}`, 'node',
      '--bootstrap', bootstrap, '--network', 'local', '--json', '--data-dir', join(tmp, 'data'),
      '--device', 'pcm', '--tiles', String(TILES), '--record-ttl-ms', String(RECORD.recordTtlMs), '--record-refresh-ms', String(RECORD.recordRefreshMs)
    ], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-20_000) })
    log = new EventLog(child)
    const listening = await log.waitFor('listening event', (e) => e.event === 'listening', INSTALL_TIMEOUT_MS, () => stderr)
    installMs = performance.now() - started
    packedPeerId = String(listening.peerId)
  }, { timeout: INSTALL_TIMEOUT_MS + 60_000 })

  after(async () => {
    if (!await stopChild('SIGTERM')) await stopChild('SIGKILL')
    await repoNode?.stop()
    if (tmp !== undefined) await rm(tmp, { recursive: true, force: true })
  })

  it('bundles every workspace package and leaves the third-party ones to the registry', async (t) => {
    t.diagnostic(`${packed.tarball}: ${packed.sizeBytes} B packed, ${packed.unpackedSizeBytes} B unpacked, ${packed.entryCount} files; npx install + start ${Math.round(installMs)} ms`)
    const root = JSON.parse(await readFile(join(repoRoot, 'package.json'), 'utf8')) as { workspaces: string[] }
    const manifests = await Promise.all(root.workspaces.filter((w) => w !== 'packages/cli').map(async (w) =>
      JSON.parse(await readFile(join(repoRoot, w, 'package.json'), 'utf8')) as { name: string, private?: boolean }))
    // The CLI package depends on every other published workspace, directly or not: all of them are bundled; the
    // private ones (test support) never are.
    assert.deepEqual([...packed.bundled].sort(), manifests.filter((m) => m.private !== true).map((m) => m.name).sort())
    assert.ok(manifests.some((m) => m.private === true && !packed.bundled.includes(m.name)))
    assert.ok(Object.keys(packed.dependencies).includes('libp2p'))
    assert.ok(!Object.keys(packed.dependencies).some((d) => d.startsWith('@tessera/')))
  })

  it('installs a runnable layout: Node ≥ 22, the bin, and kernel.wasm found by the bundled @tessera/crossbar', async () => {
    const cache = join(tmp, 'npm-cache', '_npx')
    const installs = readdirSync(cache).map((d) => join(cache, d, 'node_modules')).filter((d) => existsSync(join(d, '@tessera', 'cli')))
    assert.equal(installs.length, 1, 'npx installed the tarball once, into its folder in the npm cache')
    const installed = join(installs[0], '@tessera', 'cli')
    const crossbar = join(installed, 'node_modules', '@tessera', 'crossbar', 'dist', 'src', 'index.js')
    const env = volunteerEnv(join(tmp, 'npm-cache'))
    const probe = spawnSync('node', ['--input-type=module', '-e',
      `const c = await import(${JSON.stringify(crossbar)}); const k = await c.createWasmKernel(); console.log(JSON.stringify({ name: k.name, node: process.versions.node }))`
    ], { env, encoding: 'utf8', timeout: 30_000 })
    assert.equal(probe.status, 0, probe.stderr)
    const info = JSON.parse(probe.stdout) as { name: string, node: string }
    assert.match(info.name, /wasm/i)
    assert.ok(Number(info.node.split('.')[0]) >= 22)
    const version = spawnSync('node', [join(installs[0], '.bin', 'tessera'), '--version'], { env, encoding: 'utf8', timeout: 30_000 })
    assert.equal(version.stdout.trim(), packed.version)
  })

  it('the packed node publishes its capacity record and the repo node finds it', async () => {
    // Stored on the repo node (its only DHT peer) and announced as a provider of the capability.
    await log.waitFor('record stored on a peer and provided', (e) => e.event === 'record-published' && Number(e.peersAcked) >= 1 && e.provided === true,
      SETTLE_TIMEOUT_MS, () => stderr)
    const node = repoNode as TesseraNode
    const published = (): string => JSON.stringify(log.events.filter((e) => e.event.startsWith('record')).slice(-3))
    const found = await poll(async () => await node.getCapacityRecord(packedPeerId, { timeoutMs: 5_000 }))
    assert.ok(found !== undefined, `the repo node reads the packed node's record from the DHT; last publications: ${published()}`)
    assert.equal(found.record.peerId, packedPeerId)
    assert.equal(found.record.tilesTotal, TILES)
    assert.equal(found.record.device.preset, 'pcm')
    const discovered = await poll(async () => {
      const peers = await node.discoverPeers({ timeoutMs: 5_000 })
      return peers.some((d) => d.record.peerId === packedPeerId) ? peers : undefined
    })
    assert.ok(discovered !== undefined, `and discovers it through the capability providers; last publications: ${published()}`)
  })

  it('programs a block on the packed node and executes batches equal to the local executor', async () => {
    const rows = 300
    const cols = 200
    const batch = 8
    const weights = floats(rows * cols, 'pack/w')
    const local = new ShardExecutor(createTilePool({ profile: createDeviceProfile('pcm'), tiles: TILES }))
    local.programShard('packed', rows, cols, weights, 'pack-seed')
    const shards = (repoNode as TesseraNode).shardClient(peerIdFromString(packedPeerId))
    const programmed = await shards.program({ shardId: 'packed', weights, rows, cols, seed: 'pack-seed', devicePreset: 'pcm' })
    // 300 rows span two 256-row tiles, 200 columns one tile column.
    assert.equal(programmed.tilesUsed, 2)
    for (let call = 0; call < 2; call++) {
      const x = floats(batch * rows, `pack/x/${call}`)
      const remote = await shards.execute({ shardId: 'packed', input: x, batch })
      const expected = local.execute('packed', x, batch)
      assert.deepEqual(remote.output, expected.output, `call ${call}`)
      assert.equal(remote.macs, expected.stats.macs)
    }
    assert.equal(await shards.release('packed'), 2)
    assert.equal((await shards.status()).tilesFree, TILES)
  })

  it('stops cleanly on SIGTERM', async () => {
    assert.ok(await stopChild('SIGTERM'), 'npx and the node exited')
    assert.ok(log.events.some((e) => e.event === 'stopped'), `the node reported stopped; stderr: ${stderr.slice(-2000)}`)
    assert.deepEqual(log.junk, [], 'every stdout line was a JSON event')
  })
})
