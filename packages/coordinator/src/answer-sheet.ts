/**
 * The answers of a run's requests: how often each was answered, the class predicted and its logits at the first
 * answer (a duplicate answer is counted, never recorded over the first).
 */

/** Answers of `requests` requests of `classes` logits each. */
export class AnswerSheet {
  /** Answers per request (saturating at 255). */
  readonly answers: Uint8Array
  readonly predictions: Uint8Array
  /** `requests × classes`, zeros where unanswered. */
  readonly logits: Float32Array
  /** Answers recorded, duplicates included. */
  answered = 0
  private readonly classes: number

  constructor (requests: number, classes: number) {
    this.classes = classes
    this.answers = new Uint8Array(requests)
    this.predictions = new Uint8Array(requests)
    this.logits = new Float32Array(requests * classes)
  }

  /** Records the answers of requests `first … first + n − 1` (`out`: their logits, row-major). */
  record (first: number, n: number, out: Float32Array): void {
    const classes = this.classes
    for (let s = 0; s < n; s++) {
      const id = first + s
      this.answers[id] = Math.min(255, this.answers[id] + 1)
      if (this.answers[id] > 1) continue
      let best = 0
      for (let k = 1; k < classes; k++) if (out[s * classes + k] > out[s * classes + best]) best = k
      this.predictions[id] = best
      this.logits.set(out.subarray(s * classes, (s + 1) * classes), id * classes)
    }
    this.answered += n
  }

  /** Copies of the first `count` requests' answers, predictions and logits. */
  firstRequests (count: number): { answers: Uint8Array, predictions: Uint8Array, logits: Float32Array } {
    return { answers: this.answers.slice(0, count), predictions: this.predictions.slice(0, count), logits: this.logits.slice(0, count * this.classes) }
  }
}
