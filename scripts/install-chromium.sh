#!/usr/bin/env bash
# Installs what the browser tests and the PDF documents need from Debian, whichever of it is missing:
# - chromium (driven by playwright-core in e2e/),
# - fonts-noto-cjk (Chinese text in screenshots, and the CJK font the rectification-notice PDFs embed;
#   without it GET …/notice.pdf answers 503 pdf_font_missing),
# - poppler-utils (pdftotext/pdftoppm: the notice tests read the PDF's text and decode its QR code).
# Idempotent: does nothing when all three are there.
set -euo pipefail

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)

if [ ${#missing[@]} -eq 0 ]; then
  echo "chromium present: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium); fonts-noto-cjk and poppler-utils present"
  exit 0
fi

# Use sudo only when we are not root (containers usually run as root and have no sudo).
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
  else
    echo "install-chromium: not root and no sudo; install ${missing[*]} yourself (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

echo "install-chromium: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
/usr/bin/chromium --version
