#!/bin/bash
# make deb: build tcm-remote-dkms and liocluster with dpkg-buildpackage in a
# copy of the tree under build/deb/src, and leave the .debs in OUTDIR
# (default build/deb).  Installs the build dependencies first (Debian 12).
#
#   debian/make-deb.sh [OUTDIR [VERSION]]
#
# VERSION (the lab's upgrade test) builds with a changelog entry of that
# version on top.
set -euo pipefail
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
OUT=${1:-$TOP/build/deb}
VERSION=${2:-}
BUILD_DEPS="build-essential debhelper dh-dkms dkms dpkg-dev fakeroot libyaml-dev lintian"

missing=()
for p in $BUILD_DEPS; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	echo "deb: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
src=$OUT/src/tcm-remote
rm -rf "$OUT/src"
mkdir -p "$src"
# what the packages are built from, nothing else (no build products)
(cd "$TOP" && cp -a Makefile README.md cli lib kmod ha docs debian "$src/")
(cd "$src" && rm -rf build kmod/*.o kmod/*.ko kmod/*.mod kmod/*.mod.c kmod/.*.cmd \
	kmod/Module.symvers kmod/modules.order debian/make-deb.sh)
if [ -n "$VERSION" ]; then
	{
		echo "tcm-remote ($VERSION) bookworm; urgency=medium"
		echo
		echo "  * Rebuild with version $VERSION."
		echo
		echo " -- tcm_remote maintainers <maintainers@users.noreply.r-seed-482d809a.example>  $(date -R)"
		echo
		cat "$src/debian/changelog"
	} >"$src/debian/changelog.new"
	mv "$src/debian/changelog.new" "$src/debian/changelog"
fi
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$OUT/build.log" 2>&1 || {
	tail -n 40 "$OUT/build.log" >&2
	echo "deb: dpkg-buildpackage failed (log: $OUT/build.log)" >&2
	exit 1
}
ver=$(cd "$src" && dpkg-parsechangelog -SVersion)
rm -f "$OUT"/*_"$ver"_*.deb
mv "$OUT/src"/*_"$ver"_* "$OUT/"
rm -rf "$OUT/src"
echo "deb: lintian" >&2
lintian --tag-display-limit 0 "$OUT/tcm-remote_${ver}_amd64.changes" 2>&1 | tee "$OUT/lintian.txt" >&2 || true
if grep -q '^E:' "$OUT/lintian.txt"; then
	echo "deb: lintian reports errors" >&2
	exit 1
fi
ls "$OUT"/*_"$ver"_*.deb
