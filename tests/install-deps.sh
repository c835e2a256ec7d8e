#!/bin/sh
# Installs the Debian packages the build, the tests and `make run` need,
# when any is missing. Run as root, or with sudo available.
set -eu

PKGS="build-essential pkg-config libfcgi-dev libcurl4-openssl-dev libjson-c-dev
libssl-dev lighttpd bats curl jq python3 ca-certificates"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
if [ "$(id -u)" = 0 ]; then
	SUDO=
elif command -v sudo >/dev/null 2>&1; then
	SUDO=sudo
else
	echo "not root and no sudo: install these packages first:$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
