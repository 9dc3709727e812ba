/** Errors of the NAT lab: one class per failure a user acts on differently, each with a stable `code`. */
import { TesseraError } from '@tessera/errors'
import type { TesseraErrorOptions } from '@tessera/errors'

/** Base class of the lab's errors: the CLI prints their message alone (no stack). */
export class NatlabError extends TesseraError { static override readonly code: string = 'ERR_NATLAB' }

/**
 * The machine cannot run the lab as asked: not root (namespaces need CAP_NET_ADMIN and CAP_SYS_ADMIN), a program
 * (ip, nft, turnserver, …) is not installed, the kernel lacks the netem qdisc that link delay needs, or the lab (a
 * namespace of it, a test suite's set-up) that the command uses is not up.
 */
export class LabPrerequisiteError extends NatlabError { static override readonly code = 'ERR_NATLAB_PREREQUISITE' }

/** A topology, prefix, option or host name the lab cannot build or does not have. */
export class InvalidTopologyError extends NatlabError { static override readonly code = 'ERR_NATLAB_INVALID_TOPOLOGY' }

/**
 * A process the lab started (a probe, the STUN responder, a tessera node) did not come up, or did not print what
 * it promises within its timeout.
 */
export class LabProcessError extends NatlabError { static override readonly code = 'ERR_NATLAB_PROCESS' }

/** A command the lab ran (ip, nft, sysctl, a probe) failed. */
export class CommandFailedError extends NatlabError {
  static override readonly code = 'ERR_NATLAB_COMMAND_FAILED'
  constructor (readonly command: readonly string[], readonly exitCode: number | null, readonly stderr: string, message?: string,
    options?: TesseraErrorOptions) {
    super(message ?? `command failed (exit ${exitCode ?? 'signal'}): ${command.join(' ')}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`, options)
  }
}
