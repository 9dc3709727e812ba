/** A counting semaphore: the call slots a run keeps per peer. */
export class Slots {
  private free: number
  private readonly waiting: Array<() => void> = []
  constructor (size: number) {
    this.free = size
  }

  async acquire (): Promise<void> {
    if (this.free > 0) {
      this.free--
      return
    }
    await new Promise<void>((resolve) => { this.waiting.push(resolve) })
  }

  /** Hands the slot to the longest waiter, or frees it. */
  release (): void {
    const next = this.waiting.shift()
    if (next !== undefined) next()
    else this.free++
  }
}
