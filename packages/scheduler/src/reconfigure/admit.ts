/**
 * Phase 1 of a reconfiguration step: peers seen for the first time are admitted; they become targets for every
 * phase after this one.
 */
import type { PeerView } from '../types.js'
import type { WorkingState } from './working-state.js'

/** Adds the live peers not yet known to `knownPeers`, with an `admit` event each. */
export function admitNewPeers (work: WorkingState): void {
  for (const [peerId, view] of work.views) {
    if (work.knownPeers.has(peerId)) continue
    work.knownPeers.add(peerId)
    work.events.push({ type: 'admit', to: peerId, reason: `new peer: ${describePeer(view)}`, predictedGain: null, atMs: work.nowMs })
  }
}

function describePeer (peer: PeerView): string {
  return `${peer.device.tilesFree}/${peer.device.tilesTotal} tiles free, ${peer.device.geometry.rows}×${peer.device.geometry.cols}, ${peer.path}`
}
