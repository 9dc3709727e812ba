/** The traversal matrix's folding and output shape (no lab needed). */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { matrixJson, matrixTable, mnistTable } from '../natlab/matrix-report.js'
import { median, PAIR_NAMES, summarize } from '../natlab/matrix.js'
import { peersByPath } from '../natlab/mnist.js'
import type { MatrixAttempt } from '../natlab/matrix.js'
import type { MnistRun, MnistRunPeer } from '../natlab/mnist.js'
import type { ClientResult } from '../natlab/probes/shard-client.js'

const attempt = (pair: MatrixAttempt['pair'], index: number, result: Partial<ClientResult>): MatrixAttempt =>
  ({ pair, index, client: 'a', server: 'b', result: { event: 'result', connected: false, ...result } })

describe('traversal matrix', () => {
  it('median of odd and even counts, null when empty', () => {
    assert.equal(median([3, 1, 2]), 2)
    assert.equal(median([4, 1, 3, 2]), 2.5)
    assert.equal(median([]), null)
  })

  it('counts connected attempts (first result) and direct ones, medians over the connected', () => {
    const rows = summarize([
      attempt('cone-cone', 0, { connected: true, direct: true, connectMs: 10, firstResultMs: 100, uploadMiBps: 4 }),
      attempt('cone-cone', 1, { connected: true, direct: false, connectMs: 30, firstResultMs: 300, uploadMiBps: 2 }),
      // Connected but no shard result: not counted as connected, not in the medians.
      attempt('cone-cone', 2, { connected: true, connectMs: 1000, error: { name: 'X', message: 'y' } }),
      attempt('cone-cone', 3, { connected: false, error: { name: 'X', message: 'y' } }),
      // A direct path whose later upload failed is not a success.
      attempt('symmetric-symmetric', 0, { connected: true, direct: true, connectMs: 5, firstResultMs: 50, error: { name: 'X', message: 'y' } })
    ])
    assert.deepEqual(rows.map((r) => r.pair), ['cone-cone', 'symmetric-symmetric'])
    assert.deepEqual(rows[0], { pair: 'cone-cone', attempts: 4, connected: 2, direct: 1, connectMsP50: 20, firstResultMsP50: 200, uploadMiBps: 3 })
    assert.equal(rows[1].direct, 0)
    assert.equal(rows[1].uploadMiBps, null)
  })

  it('--json has exactly the documented keys, in pair order', () => {
    const attempts = PAIR_NAMES.map((pair, i) => attempt(pair, 0, { connected: true, direct: i % 2 === 0, connectMs: i, firstResultMs: i * 10, uploadMiBps: 1 }))
    const parsed = JSON.parse(matrixJson({ pairs: summarize(attempts) })) as { pairs: Array<Record<string, unknown>> }
    assert.deepEqual(Object.keys(parsed), ['pairs'])
    assert.deepEqual(parsed.pairs.map((p) => p.pair), [...PAIR_NAMES])
    for (const p of parsed.pairs) assert.deepEqual(Object.keys(p), ['pair', 'attempts', 'connected', 'direct', 'connectMsP50', 'firstResultMsP50', 'uploadMiBps'])
    assert.equal(matrixTable(summarize(attempts)).rows.length, PAIR_NAMES.length)
  })

  const peer = (host: string, path: string, shards: number): MnistRunPeer =>
    ({ peerId: `id-${host}`, host, reachability: path === 'direct' ? 'public' : 'private', natKind: 'none', path, pathAfterRun: 'direct', shards, calls: shards * 10 })
  const mnistRun: MnistRun = {
    host: 'pub1', policy: 'round-robin', exitCode: 0, requests: 2000, answered: 2000, requestsLost: 0, requestsDuplicated: 0, accuracy: 0.97, floatAccuracy: 0.9735,
    throughputRps: 612.345, latencyP50Ms: 20, latencyP95Ms: 60, failedCalls: 0, replacements: 0, discoveryMs: 1523.4, durationMs: 3266,
    peers: [peer('relay', 'direct', 1), peer('pub2', 'direct', 0), peer('cone1-a', 'relayed', 2), peer('sym1-a', 'relayed', 1)]
  }

  it('counts the MNIST run\'s shard holders by the path they were found on', () => {
    assert.deepEqual(peersByPath(mnistRun), { direct: 1, relayed: 2 })
    assert.deepEqual(peersByPath({ peers: [] }), {})
    assert.equal(mnistTable(mnistRun).rows.length, 4)
  })

  it('--json adds the MNIST run as `mnist` after an unchanged `pairs`', () => {
    const pairs = summarize(PAIR_NAMES.map((pair) => attempt(pair, 0, { connected: true, direct: true, connectMs: 1, firstResultMs: 10, uploadMiBps: 1 })))
    const withRun = JSON.parse(matrixJson({ pairs, mnist: mnistRun })) as Record<string, unknown>
    assert.deepEqual(Object.keys(withRun), ['pairs', 'mnist'])
    assert.deepEqual(withRun.pairs, (JSON.parse(matrixJson({ pairs })) as Record<string, unknown>).pairs)
    assert.deepEqual(withRun.mnist, {
      host: 'pub1', policy: 'round-robin', requests: 2000, answered: 2000, requestsLost: 0, requestsDuplicated: 0, accuracy: 0.97, floatAccuracy: 0.9735,
      throughputRps: 612.3, discoveryMs: 1523, peersByPath: { direct: 1, relayed: 2 }
    })
    const failed = JSON.parse(matrixJson({ pairs, mnistError: 'discovery found 2 record(s)' })) as Record<string, unknown>
    assert.deepEqual(failed.mnist, { error: 'discovery found 2 record(s)' })
  })

  it('--json puts the NATed servers\' discovery times between `pairs` and `mnist`', () => {
    const pairs = summarize(PAIR_NAMES.map((pair) => attempt(pair, 0, { connected: true, direct: true, connectMs: 1, firstResultMs: 10, uploadMiBps: 1 })))
    const discovery = [{ host: 'cone1-a', peerId: '12D3KooWx', reachability: 'private', natKind: 'cone', discoveredMs: 7312 }]
    const parsed = JSON.parse(matrixJson({ pairs, discovery, mnist: mnistRun })) as Record<string, unknown>
    assert.deepEqual(Object.keys(parsed), ['pairs', 'discovery', 'mnist'])
    assert.deepEqual(parsed.discovery, [{ host: 'cone1-a', reachability: 'private', natKind: 'cone', discoveredMs: 7312 }])
    const failed = JSON.parse(matrixJson({ pairs, discoveryError: 'tessera peers did not list sym1-a' })) as Record<string, unknown>
    assert.deepEqual(failed, { pairs: parsed.pairs, discovery: { error: 'tessera peers did not list sym1-a' } })
  })
})
