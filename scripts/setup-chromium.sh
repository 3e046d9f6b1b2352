#!/usr/bin/env bash
# Installs Debian's Chromium for the SVG rendering in `npm run docs` and the trace-viewer browser
# test, when it is missing. No step downloads a browser of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "setup-chromium: /usr/bin/chromium is missing; install Debian's chromium package as root" >&2; exit 1; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
