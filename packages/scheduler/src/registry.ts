/**
 * The policy registry: one name per policy, as the demo, the simulator and the report spell them.
 */
import { InvalidSchedulerOptionError } from './errors.js'
import { createMemoryProportionalPolicy } from './policies/memory-proportional.js'
import { createPetalsLikePolicy } from './policies/petals-like.js'
import { createRandomPolicy } from './policies/random.js'
import { createRayLikePolicy } from './policies/ray-like.js'
import { createRoundRobinPolicy } from './policies/round-robin.js'
import { createTesseraPolicy } from './policies/tessera.js'
import type { PetalsLikePolicyInit } from './policies/petals-like.js'
import type { RayLikePolicyInit } from './policies/ray-like.js'
import type { TesseraPolicyInit } from './policies/tessera.js'
import type { PlacementPolicy } from './types.js'

/** Every policy name, tessera's first. */
export const POLICY_NAMES = ['tessera', 'ray-like', 'memory-proportional', 'petals-like', 'round-robin', 'random'] as const

/** A policy name. */
export type PolicyName = typeof POLICY_NAMES[number]

/** Options of {@link createPolicy}, per policy (others take none). */
export interface PolicyInit {
  tessera?: TesseraPolicyInit
  'ray-like'?: RayLikePolicyInit
  'petals-like'?: PetalsLikePolicyInit
}

/**
 * Creates a fresh policy by name (policies with routing state — round-robin counters, Petals' RTT EMAs — start
 * empty). Throws {@link InvalidSchedulerOptionError} for any other name.
 *
 * @example
 * ```ts
 * const policy = createPolicy('tessera')
 * const placement = policy.place({ shards, peers, nowMs: Date.now(), rng: createRng('run-1/placement') })
 * ```
 */
export function createPolicy (name: PolicyName | string, init: PolicyInit = {}): PlacementPolicy {
  switch (name) {
    case 'tessera': return createTesseraPolicy(init.tessera)
    case 'ray-like': return createRayLikePolicy(init['ray-like'])
    case 'memory-proportional': return createMemoryProportionalPolicy()
    case 'petals-like': return createPetalsLikePolicy(init['petals-like'])
    case 'round-robin': return createRoundRobinPolicy()
    case 'random': return createRandomPolicy()
    default: throw new InvalidSchedulerOptionError(`unknown placement policy ${JSON.stringify(name)}; expected one of ${POLICY_NAMES.join(', ')}`)
  }
}
