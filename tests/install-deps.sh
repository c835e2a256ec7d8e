#!/bin/sh
# Installs the Debian packages the build, the tests and `make run` need,
# when any is missing. Run as root, or with sudo available.
set -eu

PKGS="build-essential pkg-config libfcgi-dev libcurl4-openssl-dev libjson-c-dev
libssl-dev lighttpd bats curl jq python3 ca-certificates
nginx apache2 libapache2-mod-fcgid spawn-fcgi openssl procps
valgrind clang libclang-rt-dev"
# The web servers the tests run (each its own instance, on loopback ports):
# their packages' system services are neither started nor enabled here.
SERVICES="lighttpd nginx apache2"

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
# Debian's way to keep newly installed services from starting (they would
# all want port 80): a policy-rc.d denying it, for the install only.
policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
	policy=/usr/sbin/policy-rc.d
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee $policy >/dev/null
	$SUDO chmod 0755 $policy
	trap '$SUDO rm -f $policy' EXIT
fi
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
for svc in $SERVICES; do
	case " $missing " in *" $svc "*) ;; *) continue ;; esac
	if [ -d /run/systemd/system ]; then
		$SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || true
	fi
	echo "note: $svc installed for the tests; its system service is not enabled"
done
