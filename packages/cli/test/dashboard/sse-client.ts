// A small server-sent-events client for the tests (Node has fetch but no EventSource).

/** One event. */
export interface SseEvent { event: string, data: string }

/** Reads events off `/api/events`; `next` resolves with the next event of a type, in arrival order. */
export class SseClient {
  private readonly controller = new AbortController()
  private readonly queue: SseEvent[] = []
  private waiter?: () => void
  private closed = false
  readonly done: Promise<void>

  constructor (url: string) {
    this.done = this.read(url)
  }

  private async read (url: string): Promise<void> {
    try {
      const res = await fetch(url, { signal: this.controller.signal })
      if (res.body === null) throw new Error('no body')
      const decoder = new TextDecoder()
      let buffer = ''
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true })
        let end
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end)
          buffer = buffer.slice(end + 2)
          const lines = block.split('\n')
          const event = lines.find((l) => l.startsWith('event: '))?.slice(7)
          const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n')
          if (event !== undefined) this.queue.push({ event, data })
          this.waiter?.()
        }
      }
    } catch (err) {
      if (!this.controller.signal.aborted) throw err
    } finally {
      this.closed = true
      this.waiter?.()
    }
  }

  /** The next event of type `event` (others are skipped); rejects when the stream ends or after `timeoutMs`. */
  async next (event: string, timeoutMs = 10_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const i = this.queue.findIndex((e) => e.event === event)
      if (i >= 0) return this.queue.splice(0, i + 1)[i]
      if (this.closed) throw new Error(`the stream ended before a ${event} event`)
      if (Date.now() > deadline) throw new Error(`no ${event} event within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()))
        this.waiter = () => { clearTimeout(timer); resolve() }
      })
    }
  }

  /** Disconnects, as a browser tab that closes. */
  async close (): Promise<void> {
    this.controller.abort()
    await this.done.catch(() => {})
  }
}

/**
 * Polls `check` until it is true (waits for a condition instead of sleeping); throws after `timeoutMs`, with
 * `detail()` (what was seen instead) in the message.
 */
export async function until (what: string, check: () => boolean | Promise<boolean>, timeoutMs = 10_000, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail !== undefined ? `; seen: ${detail()}` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
