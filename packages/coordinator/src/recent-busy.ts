/**
 * Device time and work of this coordinator's recent calls per peer: tells its own load from others' in the
 * gossip, and measures the device speed a peer shows now (a host that slowed down shows it here first).
 */
export class RecentBusy {
  private readonly byPeer = new Map<string, Array<{ endMs: number, busyMs: number, macs: number }>>()
  private readonly othersByPeer = new Map<string, number>()
  private readonly horizonMs: number
  constructor (horizonMs: number) {
    this.horizonMs = horizonMs
  }

  record (peerId: string, endMs: number, busyMs: number, macs = 0): void {
    const list = this.byPeer.get(peerId) ?? []
    list.push({ endMs, busyMs, macs })
    while (list.length > 0 && list[0].endMs < endMs - this.horizonMs) list.shift()
    this.byPeer.set(peerId, list)
  }

  /** Records the share (0 … 1) of the peer's pool that other users' work took in its last gossip window. */
  setOthers (peerId: string, share: number): void {
    this.othersByPeer.set(peerId, share)
  }

  /** The share of the peer's pool other users' work takes (0 until its gossip says otherwise). */
  others (peerId: string): number {
    return this.othersByPeer.get(peerId) ?? 0
  }

  /** Busy ms of calls to `peerId` that ended at or after `fromMs`. */
  since (peerId: string, fromMs: number): number {
    let sum = 0
    for (const c of this.byPeer.get(peerId) ?? []) if (c.endMs >= fromMs) sum += c.busyMs
    return sum
  }

  /** Device speed of the peer's calls that ended at or after `fromMs`, MAC/s (undefined without such calls). */
  macsPerSecond (peerId: string, fromMs: number): number | undefined {
    let macs = 0
    let busyMs = 0
    for (const c of this.byPeer.get(peerId) ?? []) {
      if (c.endMs < fromMs) continue
      macs += c.macs
      busyMs += c.busyMs
    }
    return busyMs > 0 && macs > 0 ? macs / (busyMs / 1000) : undefined
  }
}
