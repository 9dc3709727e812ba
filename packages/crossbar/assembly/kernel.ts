/**
 * Batched matrix-vector kernel in WebAssembly SIMD (AssemblyScript): out = x · G.
 *
 * G (`rows × cols`) is stored packed in column panels of PANEL_COLS columns: panel p holds columns
 * [p·PANEL_COLS, p·PANEL_COLS + PANEL_COLS) of every row, row after row, so the inner loop over rows streams one
 * contiguous block instead of striding by `cols` (a 4 KiB stride at 1024 columns maps every access to the same L1
 * set). The last panel of a ragged matrix is padded with zeros; padded lanes are computed but never stored.
 *
 * x is `batch × rows` and out is `batch × cols`, both row-major. A block of four input vectors shares every G
 * vector it loads (8 accumulators, 2 G vectors and a broadcast fit the 16 vector registers of x86-64).
 *
 * Every output is accumulated in float32 over the rows in ascending order, with one rounding per multiply and
 * one per add: WebAssembly's deterministic SIMD set has no fused multiply-add, so the result is bit-identical on
 * every machine and equal to a plain sequential float32 loop, whatever the blocking.
 */

/** Columns per packed panel: two f32x4 vectors. */
const PANEL_COLS: i32 = 8
/** Bytes per packed panel row. */
const PANEL_ROW_BYTES: usize = 32
/** Input vectors per main-kernel block. */
const BATCH_BLOCK: i32 = 4

/** Bytes a packed `rows × cols` matrix occupies. */
export function packedBytes (rows: i32, cols: i32): usize {
  const panels = <usize>((cols + PANEL_COLS - 1) / PANEL_COLS)
  return panels * <usize>rows * PANEL_ROW_BYTES
}

/** Allocates `bytes` (16-byte aligned) from the TLSF heap; memory grows as needed. */
export function alloc (bytes: usize): usize {
  return heap.alloc(bytes)
}

/** Returns a block from `alloc` to the heap for reuse. */
export function release (ptr: usize): void {
  heap.free(ptr)
}

/** Packs a row-major `rows × cols` float32 matrix at `src` into the panel layout at `dst`. */
export function pack (src: usize, dst: usize, rows: i32, cols: i32): void {
  const srcRowBytes = <usize>cols << 2
  for (let c0 = 0; c0 < cols; c0 += PANEL_COLS) {
    const width = min(PANEL_COLS, cols - c0)
    let s = src + (<usize>c0 << 2)
    if (width == PANEL_COLS) {
      for (let r = 0; r < rows; r++) {
        v128.store(dst, v128.load(s))
        v128.store(dst, v128.load(s, 16), 16)
        s += srcRowBytes
        dst += PANEL_ROW_BYTES
      }
    } else {
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < PANEL_COLS; j++) {
          store<f32>(dst + (<usize>j << 2), j < width ? load<f32>(s + (<usize>j << 2)) : 0)
        }
        s += srcRowBytes
        dst += PANEL_ROW_BYTES
      }
    }
  }
}

/** Stores the first `n` (0..4) lanes of `v` at `ptr`. */
@inline
function storeLanes (ptr: usize, v: v128, n: i32): void {
  if (n > 0) v128.store32_lane(ptr, v, 0)
  if (n > 1) v128.store32_lane(ptr, v, 1, 4)
  if (n > 2) v128.store32_lane(ptr, v, 2, 8)
  if (n > 3) v128.store32_lane(ptr, v, 3, 12)
}

/** Stores one output row segment of a panel: `width` (1..8) columns held in `lo` (0..3) and `hi` (4..7). */
@inline
function storePanelRow (ptr: usize, lo: v128, hi: v128, width: i32): void {
  if (width == PANEL_COLS) {
    v128.store(ptr, lo)
    v128.store(ptr, hi, 16)
  } else {
    storeLanes(ptr, lo, min(width, 4))
    storeLanes(ptr + 16, hi, width - 4)
  }
}

/** Four input vectors against one panel. */
function kernel4 (panel: usize, rows: i32, x: usize, rowBytes: usize, out: usize, colBytes: usize, width: i32): void {
  let a0lo = f32x4.splat(0)
  let a0hi = f32x4.splat(0)
  let a1lo = f32x4.splat(0)
  let a1hi = f32x4.splat(0)
  let a2lo = f32x4.splat(0)
  let a2hi = f32x4.splat(0)
  let a3lo = f32x4.splat(0)
  let a3hi = f32x4.splat(0)
  let x0 = x
  let x1 = x + rowBytes
  let x2 = x1 + rowBytes
  let x3 = x2 + rowBytes
  const end = x + rowBytes
  let g = panel
  while (x0 < end) {
    const glo = v128.load(g)
    const ghi = v128.load(g, 16)
    const s0 = v128.load32_splat(x0)
    a0lo = f32x4.add(a0lo, f32x4.mul(s0, glo))
    a0hi = f32x4.add(a0hi, f32x4.mul(s0, ghi))
    const s1 = v128.load32_splat(x1)
    a1lo = f32x4.add(a1lo, f32x4.mul(s1, glo))
    a1hi = f32x4.add(a1hi, f32x4.mul(s1, ghi))
    const s2 = v128.load32_splat(x2)
    a2lo = f32x4.add(a2lo, f32x4.mul(s2, glo))
    a2hi = f32x4.add(a2hi, f32x4.mul(s2, ghi))
    const s3 = v128.load32_splat(x3)
    a3lo = f32x4.add(a3lo, f32x4.mul(s3, glo))
    a3hi = f32x4.add(a3hi, f32x4.mul(s3, ghi))
    g += PANEL_ROW_BYTES
    x0 += 4
    x1 += 4
    x2 += 4
    x3 += 4
  }
  storePanelRow(out, a0lo, a0hi, width)
  storePanelRow(out + colBytes, a1lo, a1hi, width)
  storePanelRow(out + 2 * colBytes, a2lo, a2hi, width)
  storePanelRow(out + 3 * colBytes, a3lo, a3hi, width)
}

/** Three input vectors against one panel (batch tail). */
function kernel3 (panel: usize, rows: i32, x: usize, rowBytes: usize, out: usize, colBytes: usize, width: i32): void {
  let a0lo = f32x4.splat(0)
  let a0hi = f32x4.splat(0)
  let a1lo = f32x4.splat(0)
  let a1hi = f32x4.splat(0)
  let a2lo = f32x4.splat(0)
  let a2hi = f32x4.splat(0)
  let x0 = x
  let x1 = x + rowBytes
  let x2 = x1 + rowBytes
  const end = x + rowBytes
  let g = panel
  while (x0 < end) {
    const glo = v128.load(g)
    const ghi = v128.load(g, 16)
    const s0 = v128.load32_splat(x0)
    a0lo = f32x4.add(a0lo, f32x4.mul(s0, glo))
    a0hi = f32x4.add(a0hi, f32x4.mul(s0, ghi))
    const s1 = v128.load32_splat(x1)
    a1lo = f32x4.add(a1lo, f32x4.mul(s1, glo))
    a1hi = f32x4.add(a1hi, f32x4.mul(s1, ghi))
    const s2 = v128.load32_splat(x2)
    a2lo = f32x4.add(a2lo, f32x4.mul(s2, glo))
    a2hi = f32x4.add(a2hi, f32x4.mul(s2, ghi))
    g += PANEL_ROW_BYTES
    x0 += 4
    x1 += 4
    x2 += 4
  }
  storePanelRow(out, a0lo, a0hi, width)
  storePanelRow(out + colBytes, a1lo, a1hi, width)
  storePanelRow(out + 2 * colBytes, a2lo, a2hi, width)
}

/** Two input vectors against one panel (batch tail). */
function kernel2 (panel: usize, rows: i32, x: usize, rowBytes: usize, out: usize, colBytes: usize, width: i32): void {
  let a0lo = f32x4.splat(0)
  let a0hi = f32x4.splat(0)
  let a1lo = f32x4.splat(0)
  let a1hi = f32x4.splat(0)
  let x0 = x
  let x1 = x + rowBytes
  const end = x + rowBytes
  let g = panel
  while (x0 < end) {
    const glo = v128.load(g)
    const ghi = v128.load(g, 16)
    const s0 = v128.load32_splat(x0)
    a0lo = f32x4.add(a0lo, f32x4.mul(s0, glo))
    a0hi = f32x4.add(a0hi, f32x4.mul(s0, ghi))
    const s1 = v128.load32_splat(x1)
    a1lo = f32x4.add(a1lo, f32x4.mul(s1, glo))
    a1hi = f32x4.add(a1hi, f32x4.mul(s1, ghi))
    g += PANEL_ROW_BYTES
    x0 += 4
    x1 += 4
  }
  storePanelRow(out, a0lo, a0hi, width)
  storePanelRow(out + colBytes, a1lo, a1hi, width)
}

/**
 * One input vector against two adjacent panels. A lone vector against a single panel has only two accumulator
 * chains, too few to hide the latency of the adds; two panels double the independent chains.
 * The first panel is always full width; `width` is the second panel's.
 */
function kernel1x2 (panel: usize, rows: i32, x: usize, out: usize, width: i32): void {
  const panelBytes = <usize>rows * PANEL_ROW_BYTES
  let alo = f32x4.splat(0)
  let ahi = f32x4.splat(0)
  let blo = f32x4.splat(0)
  let bhi = f32x4.splat(0)
  let xp = x
  const end = x + (<usize>rows << 2)
  let g = panel
  while (xp < end) {
    const s = v128.load32_splat(xp)
    alo = f32x4.add(alo, f32x4.mul(s, v128.load(g)))
    ahi = f32x4.add(ahi, f32x4.mul(s, v128.load(g, 16)))
    const h = g + panelBytes
    blo = f32x4.add(blo, f32x4.mul(s, v128.load(h)))
    bhi = f32x4.add(bhi, f32x4.mul(s, v128.load(h, 16)))
    g += PANEL_ROW_BYTES
    xp += 4
  }
  storePanelRow(out, alo, ahi, PANEL_COLS)
  storePanelRow(out + PANEL_ROW_BYTES, blo, bhi, width)
}

/** One input vector against four adjacent full-width panels. */
function kernel1x4 (panel: usize, rows: i32, x: usize, out: usize): void {
  const panelBytes = <usize>rows * PANEL_ROW_BYTES
  let alo = f32x4.splat(0)
  let ahi = f32x4.splat(0)
  let blo = f32x4.splat(0)
  let bhi = f32x4.splat(0)
  let clo = f32x4.splat(0)
  let chi = f32x4.splat(0)
  let dlo = f32x4.splat(0)
  let dhi = f32x4.splat(0)
  let xp = x
  const end = x + (<usize>rows << 2)
  let g = panel
  while (xp < end) {
    const s = v128.load32_splat(xp)
    alo = f32x4.add(alo, f32x4.mul(s, v128.load(g)))
    ahi = f32x4.add(ahi, f32x4.mul(s, v128.load(g, 16)))
    const h = g + panelBytes
    blo = f32x4.add(blo, f32x4.mul(s, v128.load(h)))
    bhi = f32x4.add(bhi, f32x4.mul(s, v128.load(h, 16)))
    const k = h + panelBytes
    clo = f32x4.add(clo, f32x4.mul(s, v128.load(k)))
    chi = f32x4.add(chi, f32x4.mul(s, v128.load(k, 16)))
    const m = k + panelBytes
    dlo = f32x4.add(dlo, f32x4.mul(s, v128.load(m)))
    dhi = f32x4.add(dhi, f32x4.mul(s, v128.load(m, 16)))
    g += PANEL_ROW_BYTES
    xp += 4
  }
  storePanelRow(out, alo, ahi, PANEL_COLS)
  storePanelRow(out + PANEL_ROW_BYTES, blo, bhi, PANEL_COLS)
  storePanelRow(out + 2 * PANEL_ROW_BYTES, clo, chi, PANEL_COLS)
  storePanelRow(out + 3 * PANEL_ROW_BYTES, dlo, dhi, PANEL_COLS)
}

/** One input vector against one panel (the odd last panel of a lone vector). */
function kernel1 (panel: usize, rows: i32, x: usize, out: usize, width: i32): void {
  let alo = f32x4.splat(0)
  let ahi = f32x4.splat(0)
  let xp = x
  const end = x + (<usize>rows << 2)
  let g = panel
  while (xp < end) {
    const s = v128.load32_splat(xp)
    alo = f32x4.add(alo, f32x4.mul(s, v128.load(g)))
    ahi = f32x4.add(ahi, f32x4.mul(s, v128.load(g, 16)))
    g += PANEL_ROW_BYTES
    xp += 4
  }
  storePanelRow(out, alo, ahi, width)
}

/**
 * out[b·cols + c] = Σ_r x[b·rows + r] · G[r·cols + c] for b < batch, with G packed at `packed` by `pack`.
 * Panels are the outer loop so a panel (rows × 32 bytes) stays in cache while every input block passes over it.
 */
export function mvm (packed: usize, rows: i32, cols: i32, x: usize, batch: i32, out: usize): void {
  const rowBytes = <usize>rows << 2
  const colBytes = <usize>cols << 2
  const panelBytes = <usize>rows * PANEL_ROW_BYTES
  const panels = (cols + PANEL_COLS - 1) / PANEL_COLS
  const rest = batch % BATCH_BLOCK
  const blocked = batch - rest
  let g = packed
  for (let p = 0; p < panels; p++) {
    const width = min(PANEL_COLS, cols - p * PANEL_COLS)
    let xp = x
    let op = out + <usize>p * PANEL_ROW_BYTES
    for (let b = 0; b < blocked; b += BATCH_BLOCK) {
      kernel4(g, rows, xp, rowBytes, op, colBytes, width)
      xp += <usize>BATCH_BLOCK * rowBytes
      op += <usize>BATCH_BLOCK * colBytes
    }
    if (rest == 3) kernel3(g, rows, xp, rowBytes, op, colBytes, width)
    else if (rest == 2) kernel2(g, rows, xp, rowBytes, op, colBytes, width)
    g += panelBytes
  }
  if (rest == 1) {
    const xp = x + <usize>blocked * rowBytes
    const op = out + <usize>blocked * colBytes
    let p = 0
    // Four panels at a time while all four are full width, so the last (possibly ragged) one goes below.
    for (; p + 4 < panels; p += 4) {
      kernel1x4(packed + <usize>p * panelBytes, rows, xp, op + <usize>p * PANEL_ROW_BYTES)
    }
    for (; p + 2 <= panels; p += 2) {
      const width = min(PANEL_COLS, cols - (p + 1) * PANEL_COLS)
      kernel1x2(packed + <usize>p * panelBytes, rows, xp, op + <usize>p * PANEL_ROW_BYTES, width)
    }
    if (p < panels) {
      kernel1(packed + <usize>p * panelBytes, rows, xp, op + <usize>p * PANEL_ROW_BYTES, cols - p * PANEL_COLS)
    }
  }
}

// The per-vector peripherals (DAC, noise, ADC) live in the same module, so they share the kernel's memory.
export { analogFinalize, analogMeasure, analogNormals, analogPrepare, analogProbe } from './analog'
