import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runTessera } from './commands/spawn.js'

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
      [['node', '--tiles', 'abc'], /--tiles.*positive integer/s],
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
})
