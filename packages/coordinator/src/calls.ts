/**
 * How a shard is called: the blocks of one layer that can share one MVM of their tile go in one call. A call
 * costs a whole-tile MVM whatever the blocks it reads, so calls — not weights — are the shard's work.
 */
import type { PlannedBlockLike } from '@tessera/scheduler'

export function overlap (a0: number, a1: number, b0: number, b1: number): boolean {
  return a0 < b1 && b0 < a1
}

/**
 * Whether `members` can run in one MVM of their tile: they must use disjoint word lines (each row carries one
 * input) and disjoint bit lines (each column reads one output), and no other block of the tile may sit where a
 * member's rows cross another member's columns (it would add its weights to that output).
 */
function oneMvm (members: PlannedBlockLike[], tile: readonly PlannedBlockLike[]): boolean {
  for (const x of members) {
    for (const y of members) {
      if (x === y) continue
      if (overlap(x.rowOffset, x.rowOffset + x.rows, y.rowOffset, y.rowOffset + y.rows)) return false
      if (overlap(x.colOffset, x.colOffset + x.cols, y.colOffset, y.colOffset + y.cols)) return false
      for (const o of tile) {
        if (members.includes(o)) continue
        if (overlap(o.rowOffset, o.rowOffset + o.rows, y.rowOffset, y.rowOffset + y.rows) &&
          overlap(o.colOffset, o.colOffset + o.cols, x.colOffset, x.colOffset + x.cols)) return false
      }
    }
  }
  return true
}

/**
 * Groups a shard's blocks into calls: blocks of one layer share an MVM wherever {@link oneMvm} allows, so a
 * tile packed with several pieces of a layer costs one MVM per batch, not one per piece.
 */
export function groupCalls (blocks: readonly PlannedBlockLike[]): PlannedBlockLike[][] {
  const groups: PlannedBlockLike[][] = []
  for (const b of blocks) {
    const group = groups.find((g) => g[0].matrixId === b.matrixId && oneMvm([...g, b], blocks))
    if (group !== undefined) group.push(b)
    else groups.push([b])
  }
  return groups
}
