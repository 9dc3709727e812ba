#!/usr/bin/env bash
# Installs what the browser tests need: Debian's chromium (headless, driven by puppeteer-core; the dashboard's test
# and the demo's screenshot use /usr/bin/chromium) and fonts-dejavu-core (text in screenshots). Installs only what
# is missing; runs apt-get update at most once.
set -euo pipefail

if [ "$(id -u)" != "0" ]; then
  echo "browser-deps: must run as root (apt-get install)" >&2
  exit 1
fi

# package:file pairs; a package counts as present when dpkg says it is installed or its file exists.
wanted=(chromium:/usr/bin/chromium fonts-dejavu-core:/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf)
missing=()
for pair in "${wanted[@]}"; do
  pkg="${pair%%:*}"
  file="${pair#*:}"
  if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
    continue
  fi
  if [ -e "$file" ]; then
    continue
  fi
  missing+=("$pkg")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "browser-deps: chromium and fonts-dejavu-core already installed"
  exit 0
fi

echo "browser-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "browser-deps: done ($(/usr/bin/chromium --version 2>/dev/null || echo 'chromium version unknown'))"
