/**
 * Upload progress as the coordinator reports it. The coordinator renders nothing: a caller that wants a progress
 * bar (the CLI) passes a factory, and the default tracks nothing.
 */

/** One batch of uploads in flight: bytes are added as they are sent, then the batch is stopped. */
export interface UploadProgress {
  add: (bytes: number) => void
  stop: () => void
}

/** Starts tracking a batch of uploads of `totalBytes` in all, described by `label`. */
export type UploadProgressFactory = (totalBytes: number, label: string) => UploadProgress

/** The default: tracks nothing. */
export const noUploadProgress: UploadProgressFactory = () => ({ add: () => {}, stop: () => {} })
