#!/bin/sh
# Installs the Debian packages that are missing, for one purpose:
#   tests/install-deps.sh run    what `make run` needs: the build, lighttpd,
#                                and the sandbox (python3, curl)
#   tests/install-deps.sh test   that, and what the tests need: the other web
#                                servers, bats, jq, valgrind, clang (default)
# Run as root, or with sudo available. The web servers' system services are
# not started by the install (a policy-rc.d says no while it runs), and
# nothing already on the machine is stopped, disabled or reconfigured.
set -eu

RUN_PKGS="build-essential pkg-config libfcgi-dev libcurl4-openssl-dev
libjson-c-dev libssl-dev lighttpd curl python3 ca-certificates procps"
TEST_PKGS="bats jq nginx apache2 libapache2-mod-fcgid spawn-fcgi openssl
valgrind clang libclang-rt-dev python3-jsonschema python3-yaml"
case "${1:-test}" in
run)	PKGS=$RUN_PKGS ;;
test)	PKGS="$RUN_PKGS $TEST_PKGS" ;;
*)	echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

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
for svc in lighttpd nginx apache2; do
	case " $missing " in *" $svc "*) ;; *) continue ;; esac
	echo "note: $svc installed; its system service was not started (the tests and make run start their own instances)"
done
