#!/usr/bin/env bash
# cmake/install_setcap.cmake, through a tiny project that installs a stand-in
# `rawprobe` the way the top-level CMakeLists.txt does:
#   option ON,  cmake --install --prefix P   P/bin/rawprobe has cap_net_raw=p
#   option ON,  DESTDIR=D --prefix /opt/rp   D/opt/rp/bin/rawprobe has it; the hint names /opt/rp
#   option OFF                               no capability, no message
#   setcap missing                           install succeeds, warning with the command to run
#   filesystem without xattrs (ramfs)        install succeeds, warning with the reason and command
#
#   install_setcap.sh SOURCE_DIR    exit 0 pass, 1 fail, 77 skip (not root, setcap/getcap missing)
set -u

src=$1
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || skip "needs root to set file capabilities"
for tool in setcap getcap cmake cc; do
	command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
done

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/proj"
echo 'int main(void) { return 0; }' >"$dir/proj/main.c"
cat >"$dir/proj/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.25)
project(setcap_install_test C)
include(GNUInstallDirs)
add_executable(rawprobe main.c)
install(TARGETS rawprobe RUNTIME DESTINATION \${CMAKE_INSTALL_BINDIR})
include("$src/cmake/install_setcap.cmake")
EOF

configure() { # BUILD ARGS...: configure and build, quietly
	local b=$1
	shift
	cmake -S "$dir/proj" -B "$b" "$@" >"$dir/configure.log" 2>&1 &&
		cmake --build "$b" >>"$dir/configure.log" 2>&1 ||
		fail "tiny project does not configure/build: $(tail -20 "$dir/configure.log")"
}

caps_of() { getcap "$1" 2>/dev/null | awk '{ print $NF }'; }

# --- option ON: --prefix
configure "$dir/on" -DRAWPROBE_INSTALL_SETCAP=ON
cmake --install "$dir/on" --prefix "$dir/prefix" >"$dir/install.log" 2>&1 ||
	fail "install exited $?: $(cat "$dir/install.log")"
[ -x "$dir/prefix/bin/rawprobe" ] || fail "nothing installed at $dir/prefix/bin/rawprobe"
[ "$(caps_of "$dir/prefix/bin/rawprobe")" = "cap_net_raw=p" ] ||
	fail "installed binary has '$(caps_of "$dir/prefix/bin/rawprobe")', expected cap_net_raw=p"
grep -q "Capability: cap_net_raw+p on $dir/prefix/bin/rawprobe" "$dir/install.log" ||
	fail "install did not say it set the capability: $(cat "$dir/install.log")"
echo "ok: option ON, --prefix: cap_net_raw=p"

# --- option ON: DESTDIR staging
DESTDIR="$dir/stage" cmake --install "$dir/on" --prefix /opt/rp >"$dir/install.log" 2>&1 ||
	fail "DESTDIR install exited $?: $(cat "$dir/install.log")"
[ "$(caps_of "$dir/stage/opt/rp/bin/rawprobe")" = "cap_net_raw=p" ] ||
	fail "DESTDIR install: no cap_net_raw=p on $dir/stage/opt/rp/bin/rawprobe"
[ ! -e /opt/rp/bin/rawprobe ] || fail "DESTDIR ignored: /opt/rp/bin/rawprobe exists"
echo "ok: option ON, DESTDIR: the staged binary has cap_net_raw=p"

# --- option OFF (the default)
configure "$dir/off"
grep -q 'RAWPROBE_INSTALL_SETCAP:BOOL=OFF' "$dir/off/CMakeCache.txt" || fail "the option is not OFF by default"
cmake --install "$dir/off" --prefix "$dir/plain" >"$dir/install.log" 2>&1 || fail "install (OFF) exited $?"
[ -z "$(caps_of "$dir/plain/bin/rawprobe")" ] || fail "option OFF still set a capability"
! grep -qi 'setcap\|capability' "$dir/install.log" || fail "option OFF talks about setcap: $(cat "$dir/install.log")"
echo "ok: option OFF: no capability"

# --- setcap missing: a warning naming the command, the install itself succeeds
cmake -S "$dir/proj" -B "$dir/on" -DRAWPROBE_SETCAP_PROGRAM="$dir/no/setcap" >"$dir/configure.log" 2>&1 ||
	fail "reconfigure failed: $(cat "$dir/configure.log")"
cmake --install "$dir/on" --prefix "$dir/nosetcap" >"$dir/install.log" 2>&1 ||
	fail "install without setcap exited $?, expected success with a warning"
[ -x "$dir/nosetcap/bin/rawprobe" ] || fail "install without setcap installed nothing"
grep -q "setcap not found" "$dir/install.log" &&
	grep -qE "^ +setcap cap_net_raw\+p $dir/nosetcap/bin/rawprobe$" "$dir/install.log" ||
	fail "no clear warning when setcap is missing: $(cat "$dir/install.log")"
echo "ok: setcap missing: warning with the command to run by hand"

# --- a filesystem without extended attributes: setcap fails, the warning says so
cmake -S "$dir/proj" -B "$dir/on" -DRAWPROBE_SETCAP_PROGRAM="$(command -v setcap)" >"$dir/configure.log" 2>&1 ||
	fail "reconfigure failed: $(cat "$dir/configure.log")"
mkdir "$dir/ramfs"
if ! unshare -m mount -t ramfs rpsetcap "$dir/ramfs" 2>/dev/null; then
	echo "skipped: cannot mount a ramfs here"
	exit 0
fi
unshare -m sh -c 'mount -t ramfs rpsetcap "$1" && cmake --install "$2" --prefix "$1/p"' sh \
	"$dir/ramfs" "$dir/on" >"$dir/install.log" 2>&1 ||
	fail "install on ramfs exited $?, expected success with a warning: $(cat "$dir/install.log")"
grep -q "setcap failed" "$dir/install.log" &&
	grep -qE "^ +.*Operation not supported" "$dir/install.log" &&
	grep -qE "^ +setcap cap_net_raw\+p $dir/ramfs/p/bin/rawprobe$" "$dir/install.log" ||
	fail "no clear warning when setcap fails: $(cat "$dir/install.log")"
echo "ok: setcap failing (ramfs, no xattrs): install succeeds, warning with reason and command"
