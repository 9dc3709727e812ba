/**
 * A child process inside a lab host that reports on stdout as JSON lines (a `tessera node --json`, a test
 * fixture): every line is kept, waiters wake on each new line and on exit, and the tail of stderr goes into
 * errors, so a test that times out says what the process printed.
 */
import { once } from 'node:events'
import { createInterface } from 'node:readline'
import { LabProcessError } from './errors.js'
import type { ChildProcess } from 'node:child_process'

/** One JSON status line. */
export type JsonLine = Record<string, unknown> & { event: string }

/** Characters of stderr kept for error messages. */
const STDERR_TAIL_CHARS = 4000

export class JsonLineProcess {
  readonly lines: JsonLine[] = []
  peerId = ''
  private readonly waiters: Array<() => void> = []
  private stderr = ''

  constructor (readonly host: string, readonly child: ChildProcess) {
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => { this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL_CHARS) })
    if (child.stdout === null) throw new LabProcessError(`${host}: the process's stdout is not piped`)
    createInterface({ input: child.stdout }).on('line', (text) => {
      try {
        this.lines.push(JSON.parse(text) as JsonLine)
      } catch {
        this.lines.push({ event: 'unparsed', text })
      }
      this.wake()
    })
    child.once('exit', () => { this.wake() })
  }

  /** Whether the process has exited. */
  exited (): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null
  }

  /**
   * Resolves to what `find` returns once it returns something, looking again at every new line; throws
   * {@link LabProcessError} with `what()`, the exit code and the stderr tail when `timeoutMs` passes or the process exits
   * first (and whatever `find` throws).
   */
  protected async waitUntil<T> (find: () => T | undefined, timeoutMs: number, what: () => string): Promise<T> {
    const deadline = performance.now() + timeoutMs
    for (;;) {
      const found = find()
      if (found !== undefined) return found
      const left = deadline - performance.now()
      if (left <= 0 || this.exited()) {
        throw new LabProcessError(`${this.host}: ${what()} within ${timeoutMs} ms (exit ${String(this.child.exitCode)}); stderr: ${this.stderr.trim().slice(-1000)}`)
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.waiters.push(() => { clearTimeout(timer); resolve() })
      })
    }
  }

  /** Asks the process to stop with `ask`, SIGKILL after `graceMs`; resolves once it has exited. */
  protected async stopWith (ask: () => void, graceMs: number): Promise<void> {
    if (this.exited()) return
    const exited = once(this.child, 'exit')
    ask()
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, graceMs)
    await exited
    clearTimeout(timer)
  }

  private wake (): void {
    for (const wake of this.waiters.splice(0)) wake()
  }
}
