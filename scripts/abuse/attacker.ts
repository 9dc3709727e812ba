/**
 * The hostile client as a process of its own: `node attacker.js <attack> <target multiaddr> <durationMs>
 * [victim shard ids…]`. It starts its own libp2p node with a fresh key, runs one attack of `attacks.ts` against
 * the target until the duration ends (or SIGTERM), and prints `{"attack", "stats"}` as one JSON line.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { createRng } from '@tessera/crossbar'
import { createTesseraNode } from '@tessera/peer'
import { ATTACKS } from './attacks.js'

const [attackName, targetText, durationText, ...victimShardIds] = process.argv.slice(2)
const attack = ATTACKS[attackName]
if (attack === undefined || targetText === undefined || !(Number(durationText) > 0)) {
  process.stderr.write(`usage: attacker <${Object.keys(ATTACKS).join('|')}> <target multiaddr> <durationMs> [victim shard ids…]\n`)
  process.exit(2)
}
const target = multiaddr(targetText)
const targetPeerId = target.getComponents().find((c) => c.name === 'p2p')?.value ?? ''
const controller = new AbortController()
const timer = setTimeout(() => { controller.abort() }, Number(durationText))
process.once('SIGTERM', () => { controller.abort() })
const node = await createTesseraNode({ network: 'local', serve: false, bootstrap: [targetText] })
try {
  const stats = await attack({ node, target, targetPeerId, victimShardIds, signal: controller.signal, rng: createRng(`abuse/${attackName}`) })
  process.stdout.write(`${JSON.stringify({ attack: attackName, stats })}\n`)
} finally {
  clearTimeout(timer)
  await node.stop()
}
