/**
 * The acceptance region of a projection check and its false-alarm probability.
 *
 * A check draws K secret sign vectors r_k ∈ {±1}^cols and compares, for each vector b of a batch, the projections
 * s_bk = y_b·r_k − x_b·(W r_k) = e_b·r_k of the error e_b = y_b − x_b W. Its statistic is S = (1/K) Σ_k Σ_b s_bk²,
 * and Σ_b s_bk² = r_kᵀ A r_k with A = Σ_b e_b e_bᵀ. Two bounds make the region:
 *
 * 1. Over the secret signs, given the errors: E[S] = tr A = Σ_b ‖e_b‖², and for Rademacher (as for Gaussian) r the
 *    moment generating function of rᵀAr is at most that of a weighted χ² with A's eigenvalues, so Laurent and
 *    Massart's bound (Ann. Statist. 28(5), 2000, Lemma 1) holds: with u = ln(1/p),
 *    P(K·S ≥ tr A·(K + 2√(K u) + 2u)) ≤ p, whatever the eigenvalues (the worst case, one eigenvalue, is taken).
 *    This part is exact: it needs nothing but the signs being secret and random.
 * 2. Over the device's randomness: tr A ≤ M·(1 + 2√(u/d) + 2u/d) with probability ≥ 1 − p, where M = Σ_b E‖e_b‖²
 *    comes from the device's noise model (block-model.ts) and d is the number of outputs that carry weights. This
 *    takes the per-output errors as Gaussian with equal variances, d degrees of freedom (the programming noise is
 *    fixed for the whole batch, so the batch adds none): a Gaussian tail with a stated margin, not a theorem.
 *
 * A batch is accepted when S ≤ M · τ_dev · τ_sign; an honest one is rejected with probability at most 2p.
 */

/** Default false-alarm probability per check of an honest device: 2 × 10⁻⁹ (two tails of 10⁻⁹). */
export const DEFAULT_FALSE_ALARM_PER_CHECK = 2e-9

/** Default number of secret projections per shard copy. */
export const DEFAULT_PROJECTIONS = 16

/** The factor τ_sign of bound 1 for K projections and tail p. */
export function signFactor (projections: number, tail: number): number {
  const u = Math.log(1 / tail)
  return (projections + 2 * Math.sqrt(projections * u) + 2 * u) / projections
}

/** The factor τ_dev of bound 2 for d outputs and tail p. */
export function deviceFactor (outputs: number, tail: number): number {
  const d = Math.max(1, outputs)
  const u = Math.log(1 / tail)
  return 1 + 2 * Math.sqrt(u / d) + (2 * u) / d
}

/** The acceptance factor τ_dev · τ_sign: a batch passes when S ≤ factor × M. */
export function acceptanceFactor (projections: number, outputs: number, falseAlarmPerCheck: number): number {
  const tail = falseAlarmPerCheck / 2
  return signFactor(projections, tail) * deviceFactor(outputs, tail)
}

/** Probability that at least one of `checks` honest checks is rejected, at `falseAlarmPerCheck` each (union bound). */
export function falseAlarmPerRun (checks: number, falseAlarmPerCheck: number): number {
  return Math.min(1, checks * falseAlarmPerCheck)
}
