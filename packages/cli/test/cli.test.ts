import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { chmod, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { DATASTORE_DIR, IDENTITY_FILE, loadOrCreateIdentity, openStorage } from '@tessera/peer'
import { runTessera } from './commands/spawn.js'
import { closedPort, withPortInUse, withTempDir } from './helpers.js'

const PEER = '12D3KooWLkPCSY4B6yhgkTMo9sgUnKx55oZpB5zb3m8LQ8wFDTZY'

describe('tessera CLI', () => {
  it('node --help describes every flag and exits 0', async () => {
    const r = await runTessera(['node', '--help'])
    assert.equal(r.code, 0)
    for (const flag of ['--listen', '--bootstrap', '--data-dir', '--device', '--tiles', '--relay-server', '--network', '--json']) {
      assert.ok(r.stdout.includes(flag), `help mentions ${flag}`)
    }
  })

  it('bad flags print a clear message and exit 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['node', '--tiles', 'abc'], /--tiles.*integer in \[1, 10922\]/s],
      [['node', '--device', 'quantum'], /--device.*(choices|Allowed)/is],
      [['node', '--network', 'lan'], /--network.*(choices|Allowed)/is],
      [['node', '--bootstrap', '/ip4/127.0.0.1/tcp/1'], /\/p2p\//],
      [['node', '--no-such-flag'], /unknown option/i],
      [['no-such-command'], /unknown command/i],
      [['peers'], /--bootstrap/]
    ]
    for (const [args, message] of cases) {
      const r = await runTessera(args)
      assert.equal(r.code, 2, `${args.join(' ')} exits 2 (stderr: ${r.stderr})`)
      assert.match(r.stderr, message, args.join(' '))
    }
  })

  it('every number out of its range exits 2 with the range in the message', async () => {
    const cases: Array<[string[], string]> = [
      [['node', '--tiles', '1000000000'], '[1, 10922]'],
      [['node', '--tiles', '4294967296'], '[1, 10922]'],
      [['node', '--tiles', '0'], '[1, 10922]'],
      [['node', '--record-ttl-ms', '3600000'], '[1001, 600000] ms'],
      [['node', '--record-refresh-ms', '600000'], '[1000, 599999] ms'],
      [['node', '--dht-timeout-ms', '2147483648'], '[1000, 2147483647] ms'],
      [['node', '--relay-data-limit-bytes', '1023'], '[1024, 9007199254740991] bytes'],
      [['node', '--relay-duration-limit-ms', '99999999999'], '[1000, 2147483647] ms'],
      [['peers', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, '--timeout-ms', '10'], '[1000, 2147483647] ms'],
      [['run', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, '--batch', '1025'], '[1, 1024]'],
      [['run', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, '--min-peers', '161'], '[1, 160]'],
      [['run', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, '--in-flight', '257'], '[1, 256]'],
      [['run', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, '--requests', '10000001'], '[1, 10000000]'],
      [['demo', '--nodes', '161'], '[1, 160]'],
      [['dashboard', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, '--retry-ms', '10'], '[100, 2147483647] ms'],
      [['dashboard', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${PEER}`, '--port', '65536'], 'from 0 to 65535'],
      [['accuracy', '--geometries', '128,8192'], '[1, 4096]'],
      [['accuracy', '--layers', '784,100000,10'], '[1, 8192]'],
      [['accuracy', '--workers', '1000'], '[0, 256]'],
      [['accuracy', '--hwa-noise', '2'], '[0, 1]'],
      [['accuracy', '--times', '1,-5'], '[0, 3153600000] s']
    ]
    for (const [args, range] of cases) {
      const r = await runTessera(args)
      assert.equal(r.code, 2, `${args.join(' ')} exits 2 (stderr: ${r.stderr})`)
      assert.ok(r.stderr.includes(range), `${args.join(' ')} states ${range}: ${r.stderr}`)
    }
  })

  it('a refresh period not shorter than the record lifetime exits 2 before the node starts', async () => {
    await withTempDir(async (dir) => {
      const r = await runTessera(['node', '--data-dir', dir, '--record-ttl-ms', '30000', '--record-refresh-ms', '60000'])
      assert.equal(r.code, 2, r.stderr)
      assert.match(r.stderr, /refresh period \(60000 ms\) must be positive and shorter than its lifetime \(30000 ms\)/)
      assert.equal(r.stdout, '', 'nothing started')
    })
  })
})

describe('errors a volunteer meets', () => {
  const common = ['node', '--network', 'local', '--device', 'ideal', '--tiles', '1', '--json']

  it('a key file readable by others is refused with its path and the fix', async () => {
    await withTempDir(async (dir) => {
      const key = join(dir, IDENTITY_FILE)
      await loadOrCreateIdentity(dir)
      await chmod(key, 0o644)
      const r = await runTessera([...common, '--data-dir', dir])
      assert.equal(r.code, 1, r.stderr)
      assert.ok(r.stderr.includes(`the identity key ${key} has permissions 0644`), r.stderr)
      assert.ok(r.stderr.includes(`chmod 600 ${key}`))
    })
  })

  it('a corrupt datastore names its path and LevelDB\'s reason, without a stack trace unless DEBUG asks', async () => {
    await withTempDir(async (dir) => {
      const storage = await openStorage(dir)
      await storage.close()
      await writeFile(join(dir, DATASTORE_DIR, 'CURRENT'), 'MANIFEST-999999\n')
      const r = await runTessera([...common, '--data-dir', dir])
      assert.equal(r.code, 1, r.stderr)
      assert.ok(r.stderr.includes(`cannot open the datastore at ${join(dir, DATASTORE_DIR)}`), r.stderr)
      assert.match(r.stderr, /MANIFEST-999999/, 'LevelDB\'s own reason')
      assert.doesNotMatch(r.stderr, /^\s+at\s/m, 'no stack trace')
      const debug = await runTessera([...common, '--data-dir', dir], 30_000, { DEBUG: 'tessera:*' })
      assert.equal(debug.code, 1)
      assert.match(debug.stderr, /^\s+at\s/m, 'DEBUG=tessera:* shows the stack')
    })
  })

  it('a port in use names the address and the cause, without a stack trace', async () => {
    await withPortInUse(async (port) => {
      await withTempDir(async (dir) => {
        const r = await runTessera([...common, '--data-dir', dir, '--listen', `/ip4/127.0.0.1/tcp/${port}`])
        assert.equal(r.code, 1, r.stderr)
        assert.ok(r.stderr.includes(`error: cannot listen on /ip4/127.0.0.1/tcp/${port} (listen EADDRINUSE`), r.stderr)
        assert.doesNotMatch(r.stderr, /^\s+at\s/m, 'no stack trace')
      })
    })
  })

  it('a bootstrap peer that cannot be reached is named with the cause', async () => {
    const address = `/ip4/127.0.0.1/tcp/${await closedPort()}/p2p/${PEER}`
    const r = await runTessera(['peers', '--bootstrap', address, '--timeout-ms', '1000'])
    assert.equal(r.code, 1, r.stderr)
    assert.ok(r.stderr.includes(`could not connect to ${address} (`), r.stderr)
    assert.match(r.stderr, /ECONNREFUSED/)
    assert.doesNotMatch(r.stderr, /^\s+at\s/m, 'no stack trace')
  })
})
