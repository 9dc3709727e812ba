/** The nftables ruleset of a lab NAT router. */
import { IFACE } from './topology.js'
import type { NatKind } from './topology.js'

/** Name of the nftables table every lab router holds. */
export const ROUTER_TABLE = 'natlab'

/**
 * The router's whole ruleset (loaded with `nft -f -` inside the router's namespace, replacing what was there).
 *
 * - NAT: `masquerade persistent` keeps a LAN peer's source port when it is free, which makes the mapping
 *   endpoint-independent ("cone"); `masquerade fully-random` picks a new port per flow ("symmetric").
 * - Unsolicited inbound is dropped, not rejected: a RST (or ICMP) answer to the first SYN of a TCP simultaneous
 *   open would kill the attempt, and home routers stay silent too.
 * - `ct state invalid drop` in both chains: without it a timing race let un-NATed LAN source addresses leak onto
 *   the public segment (measured; see docs/nat-lab.md).
 */
export function routerRuleset (nat: NatKind): string {
  const masquerade = nat === 'cone' ? 'masquerade persistent' : 'masquerade fully-random'
  return [
    'flush ruleset',
    `table ip ${ROUTER_TABLE} {`,
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    '    ct state invalid drop',
    `    iifname "${IFACE.wan}" ct state new drop`,
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state invalid drop',
    '    ct state established,related accept',
    `    iifname "${IFACE.lan}" oifname "${IFACE.wan}" accept`,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    `    oifname "${IFACE.wan}" ${masquerade}`,
    '  }',
    '}',
    ''
  ].join('\n')
}
