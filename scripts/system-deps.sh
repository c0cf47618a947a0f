#!/usr/bin/env bash
# Installs the Debian packages CourseKit's tests (and fast certificates) need:
#   chromium          browser tests through Playwright (its own browser download cannot work offline)
#   poppler-utils     pdftotext, to read certificates back
#   libpango-1.0-0 libpangoft2-1.0-0   WeasyPrint's text layout
#   libharfbuzz-subset0                font subsetting: without it a certificate takes seconds
#   fonts-dejavu-core fonts-wqy-microhei fonts-wqy-zenhei   the certificate's Latin and CJK
#                     fonts (free licences: Micro Hei is Apache 2.0; Zen Hei's GPL has a
#                     font-embedding exception, and it covers the rarer CJK Extension A)
# Needs root; otherwise it says what is missing (`flask coursekit doctor` says it too).
set -euo pipefail
packages=()
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v pdftotext >/dev/null 2>&1 || packages+=(poppler-utils)
ldconfig -p 2>/dev/null | grep -q "libpango-1.0.so" || packages+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset.so" || packages+=(libharfbuzz-subset0)
fc-list 2>/dev/null | grep -q "DejaVu Serif" || packages+=(fonts-dejavu-core)
fc-list 2>/dev/null | grep -qi "WenQuanYi Micro Hei" || packages+=(fonts-wqy-microhei)
fc-list 2>/dev/null | grep -qi "WenQuanYi Zen Hei" || packages+=(fonts-wqy-zenhei)
[ ${#packages[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "system-deps: missing ${packages[*]}; run 'sudo apt-get install ${packages[*]}'" >&2
    exit 0
fi
echo "system-deps: installing ${packages[*]}"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
