#!/usr/bin/env bash
# Installs the Debian packages the test suite drives: Chromium (browser tests through
# Playwright; Playwright's own browser download cannot work offline) and poppler-utils
# (pdftotext). Needs root; otherwise it says what is missing and the browser tests skip.
set -euo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v pdftotext >/dev/null 2>&1 || packages+=(poppler-utils)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || packages+=(fonts-noto-cjk)
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: missing ${packages[*]}; run 'sudo apt-get install ${packages[*]}'" >&2
    exit 0
fi
echo "system-deps: installing ${packages[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
