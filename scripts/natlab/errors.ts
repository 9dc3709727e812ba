/** Errors of the NAT lab: one class per failure, each with a `name` and a stable `code`. */

export class NatlabError extends Error {
  readonly code: string = 'ERR_NATLAB'
  constructor (message = 'NAT lab error') {
    super(message)
    this.name = 'NatlabError'
  }
}

/** The lab needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to create namespaces. */
export class NotRootError extends NatlabError {
  override readonly code = 'ERR_NATLAB_NOT_ROOT'
  constructor (message = 'the NAT lab needs root (network namespaces, veth pairs and nftables): run as root, e.g. sudo') {
    super(message)
    this.name = 'NotRootError'
  }
}

/** A required program (ip, nft, …) is not installed. */
export class MissingToolError extends NatlabError {
  override readonly code = 'ERR_NATLAB_MISSING_TOOL'
  constructor (message = 'a program the NAT lab needs is missing: run `bash .ci/natlab-deps.sh`') {
    super(message)
    this.name = 'MissingToolError'
  }
}

/** A lab name prefix that could collide with another lab's namespaces. */
export class InvalidPrefixError extends NatlabError {
  override readonly code = 'ERR_NATLAB_INVALID_PREFIX'
  constructor (message = 'invalid NAT lab prefix') {
    super(message)
    this.name = 'InvalidPrefixError'
  }
}

/** A topology or option the lab cannot build. */
export class InvalidTopologyError extends NatlabError {
  override readonly code = 'ERR_NATLAB_INVALID_TOPOLOGY'
  constructor (message = 'invalid NAT lab topology') {
    super(message)
    this.name = 'InvalidTopologyError'
  }
}

/** A host name that is not part of the lab. */
export class UnknownHostError extends NatlabError {
  override readonly code = 'ERR_NATLAB_UNKNOWN_HOST'
  constructor (message = 'no such host in the NAT lab') {
    super(message)
    this.name = 'UnknownHostError'
  }
}

/** The lab (or one of its namespaces) is not up. */
export class LabNotUpError extends NatlabError {
  override readonly code = 'ERR_NATLAB_NOT_UP'
  constructor (message = 'the NAT lab is not up: run `npm run natlab -- up`') {
    super(message)
    this.name = 'LabNotUpError'
  }
}

/** A command the lab ran (ip, nft, sysctl, a probe) failed. */
export class CommandFailedError extends NatlabError {
  override readonly code = 'ERR_NATLAB_COMMAND_FAILED'
  readonly command: readonly string[]
  readonly exitCode: number | null
  readonly stderr: string
  constructor (command: readonly string[], exitCode: number | null, stderr: string, message?: string) {
    super(message ?? `command failed (exit ${exitCode ?? 'signal'}): ${command.join(' ')}${stderr.trim() === '' ? '' : `: ${stderr.trim()}`}`)
    this.name = 'CommandFailedError'
    this.command = command
    this.exitCode = exitCode
    this.stderr = stderr
  }
}

/** A probe program printed something that is not the JSON it promises. */
export class ProbeOutputError extends NatlabError {
  override readonly code = 'ERR_NATLAB_PROBE_OUTPUT'
  constructor (message = 'a NAT lab probe printed unexpected output') {
    super(message)
    this.name = 'ProbeOutputError'
  }
}

/** The STUN responder did not come up. */
export class StunStartError extends NatlabError {
  override readonly code = 'ERR_NATLAB_STUN_START'
  constructor (message = 'the lab STUN responder did not start') {
    super(message)
    this.name = 'StunStartError'
  }
}

/** Delay needs the kernel's netem qdisc, which some kernels (this project's VMs among them) do not have. */
export class NetemUnavailableError extends NatlabError {
  override readonly code = 'ERR_NATLAB_NETEM_UNAVAILABLE'
  constructor (message = 'link delay needs the netem qdisc, which this kernel lacks (CONFIG_NET_SCH_NETEM); loss works without it') {
    super(message)
    this.name = 'NetemUnavailableError'
  }
}
