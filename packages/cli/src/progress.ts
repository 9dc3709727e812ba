/**
 * The upload progress bar (cli-progress): on stderr, and only on a terminal, so piped output and `--json` stay
 * clean.
 */
import cliProgress from 'cli-progress'

import type { UploadProgress, UploadProgressFactory } from '@tessera/coordinator'

/** A coordinator's upload progress factory: a bar when `enabled` and stderr is a TTY, otherwise nothing. */
export function uploadProgressBar (enabled: boolean): UploadProgressFactory {
  return (totalBytes, label) => createUploadProgress(totalBytes, label, enabled)
}

/** Starts a bar over `totalBytes` when `enabled` and stderr is a TTY. */
function createUploadProgress (totalBytes: number, label: string, enabled: boolean): UploadProgress {
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
