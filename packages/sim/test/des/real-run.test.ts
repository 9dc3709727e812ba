import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { RealRunUnreadableError } from '../../src/des/errors.js'
import { readRealRun } from '../../src/des/real-run.js'

const row = (policy: string): Record<string, unknown> => ({ policy, throughputRps: 99, latencyP95Ms: 120, requestsLost: 0, requestsDuplicated: 0, recoveryMs: null, migrations: 0, flagged: null, falseAlarms: null })

describe('readRealRun', () => {
  it('reads the rows, the nodes each event hit and the placement of each policy; a placement of another shape is left out', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-real-run-'))
    try {
      writeFileSync(join(dir, 'slowdown.json'), JSON.stringify({
        scenario: 'slowdown',
        seed: 's',
        policies: [row('tessera'), row('random')],
        events: { tessera: { scenario: [{ tMs: 12000, kind: 'slowdown', nodes: ['n3', 'n1'] }] } },
        placement: {
          tessera: { peers: ['n2', 'n1', 'n3'], copies: { 'w0/a/0': ['n1'], 'w1/b/0': ['n3', 'n2'] } },
          random: { peers: ['n1'], copies: { 'w0/a/0': 'n1' } }
        }
      }))
      const real = readRealRun(dir, 'slowdown')
      assert.deepEqual([...real.rows.keys()], ['tessera', 'random'])
      assert.deepEqual(real.timelineNodes.get('tessera'), [['n3', 'n1']])
      const placement = real.placements.get('tessera')
      assert.deepEqual(placement?.peers, ['n2', 'n1', 'n3'])
      assert.deepEqual([...(placement?.copies ?? [])], [['w0/a/0', ['n1']], ['w1/b/0', ['n3', 'n2']]])
      assert.equal(real.placements.has('random'), false)
      assert.throws(() => readRealRun(dir, 'churn'), RealRunUnreadableError)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
