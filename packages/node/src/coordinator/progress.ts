/**
 * The upload progress bar (cli-progress): on stderr, and only on a terminal, so piped output and `--json` stay
 * clean.
 */
import cliProgress from 'cli-progress'

/** Counts uploaded bytes; a no-op when disabled. */
export interface UploadProgress {
  add: (bytes: number) => void
  stop: () => void
}

/** Starts a bar over `totalBytes` when `enabled` and stderr is a TTY. */
export function createUploadProgress (totalBytes: number, label: string, enabled: boolean): UploadProgress {
  if (!enabled || process.stderr.isTTY !== true || totalBytes <= 0) return { add: () => {}, stop: () => {} }
  const bar = new cliProgress.SingleBar({
    stream: process.stderr,
    format: `${label} [{bar}] {percentage}% | {value}/{total} KiB`,
    hideCursor: true,
    clearOnComplete: true
  }, cliProgress.Presets.shades_classic)
  let sent = 0
  bar.start(Math.ceil(totalBytes / 1024), 0)
  return {
    add (bytes) {
      sent += bytes
      bar.update(Math.min(Math.ceil(totalBytes / 1024), Math.floor(sent / 1024)))
    },
    stop () {
      bar.stop()
    }
  }
}
