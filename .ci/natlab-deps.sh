#!/usr/bin/env bash
# Installs what the NAT lab (scripts/natlab) needs: iproute2 (ip netns, veth, bridge, tc netem), nftables (NAT
# and router filters), conntrack (flushing NAT state between runs) and coturn (the lab's STUN responder, run
# only inside a lab namespace). Installs only what is missing; runs apt-get update at most once.
set -euo pipefail

if [ "$(id -u)" != "0" ]; then
  echo "natlab-deps: must run as root (apt-get install; the lab itself needs CAP_NET_ADMIN)" >&2
  exit 1
fi

# package:command pairs; a package counts as present when dpkg says it is installed or its command exists.
wanted=(iproute2:ip nftables:nft conntrack:conntrack coturn:turnserver)
missing=()
for pair in "${wanted[@]}"; do
  pkg="${pair%%:*}"
  cmd="${pair##*:}"
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    continue
  fi
  if command -v "$cmd" >/dev/null 2>&1; then
    continue
  fi
  missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "natlab-deps: iproute2, nftables, conntrack and coturn already installed"
  exit 0
fi

echo "natlab-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# coturn's package would otherwise start a system-wide turnserver on the host: policy-rc.d forbids service
# starts during the install (Debian's invoke-rc.d honours exit code 101), and the lab only ever runs turnserver
# inside its own namespace.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" = 1 ]; then rm -f "$policy"; fi; }
trap cleanup EXIT
apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
echo "natlab-deps: done"
