import assert from 'node:assert/strict'
import { once } from 'node:events'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { probeArgv } from '../natlab/probe-path.js'
import { encodeBindingRequest, encodeBindingSuccess, parseBindingRequest, parseBindingSuccess, transactionIdFor } from '../natlab/probes/stun-message.js'

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'))
const id12 = fc.uint8Array({ minLength: 12, maxLength: 12 })

async function firstLine (child: ReturnType<typeof spawn>): Promise<Record<string, unknown>> {
  if (child.stdout === null) throw new Error('no stdout')
  const [line] = await once(createInterface({ input: child.stdout }), 'line') as [string]
  return JSON.parse(line) as Record<string, unknown>
}

describe('natlab STUN messages', () => {
  it('round-trips XOR-MAPPED-ADDRESS for any IPv4 endpoint and transaction id', () => {
    fc.assert(fc.property(id12, ipv4, fc.integer({ min: 0, max: 65535 }), (id, address, port) => {
      assert.deepEqual(parseBindingSuccess(encodeBindingSuccess(id, address, port), id), { address, port })
    }), { seed: 7 })
  })

  it('ignores responses to another transaction, and requests that are not binding requests', () => {
    const id = transactionIdFor(1000, 0, 1)
    const other = transactionIdFor(1000, 1, 1)
    assert.equal(parseBindingSuccess(encodeBindingSuccess(id, '41.0.0.1', 1000), other), undefined)
    assert.deepEqual(parseBindingRequest(encodeBindingRequest(id)), id)
    assert.equal(parseBindingRequest(encodeBindingSuccess(id, '41.0.0.1', 1000)), undefined)
    assert.equal(parseBindingRequest(Buffer.alloc(8)), undefined)
  })

  it('encodes the mapped address XORed with the magic cookie (RFC 5389 test vector layout)', () => {
    const msg = encodeBindingSuccess(new Uint8Array(12), '192.0.2.1', 32853)
    // RFC 5769 §2.2: 192.0.2.1:32853 → x-port 0xa147, x-address 0xe112a643.
    assert.equal(msg.readUInt16BE(26), 0xa147)
    assert.equal(msg.readUInt32BE(28), 0xe112a643)
  })

  it('the Node responder answers the client probe with the address it sees (on 127.0.0.1)', async () => {
    const server = spawn(probeArgv('stun-server')[0], [...probeArgv('stun-server').slice(1), '--address', '127.0.0.1', '--port', '0', '--lifetime-ms', '20000'], { stdio: ['ignore', 'pipe', 'inherit'] })
    try {
      const listening = await firstLine(server)
      const client = spawn(probeArgv('stun-client')[0], [...probeArgv('stun-client').slice(1), '--server', `127.0.0.1:${String(listening.port)}`, '--timeout-ms', '5000'], { stdio: ['ignore', 'pipe', 'inherit'] })
      const mapped = await firstLine(client)
      assert.equal(mapped.event, 'mapped')
      assert.equal(mapped.address, '127.0.0.1')
      assert.equal(mapped.port, mapped.localPort)
      assert.ok(typeof mapped.port === 'number' && mapped.port > 0)
    } finally {
      server.kill()
    }
  })
})
