#!/usr/bin/env bash
# Installs Debian's Apache ZooKeeper (3.8), the peer `npm run bench:server` measures zabstate
# against, when it is missing. Without root and without the package, it says so and the benchmark
# runs zabstate alone.
set -euo pipefail
if [ -x /usr/share/zookeeper/bin/zkServer.sh ]; then exit 0; fi
if [ "$(id -u)" != 0 ]; then echo "setup-zookeeper: /usr/share/zookeeper is missing; install Debian's zookeeper package as root to compare with Apache ZooKeeper" >&2; exit 0; fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq zookeeper >/dev/null
