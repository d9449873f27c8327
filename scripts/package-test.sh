#!/usr/bin/env bash
# Builds the Debian package (scripts/package.sh), checks it with lintian (no errors), installs it
# on this machine with apt-get, transcribes the demo call and runs `serve --sandbox` as the
# callscribe user until the demo call is done, then purges the package and checks that nothing
# of it is left: files, the data and configuration folders, the user. Needs root (or sudo), and
# a machine where the package is not installed for real: the purge removes /var/lib/callscribe.
set -euo pipefail
cd "$(dirname "$0")/.."
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi
fail() { echo "package-test: $*" >&2; exit 1; }

bash scripts/install-deps.sh lintian curl >/dev/null
if dpkg-query -W -f='${Status}' callscribe 2>/dev/null | grep -q "install ok installed"; then
  fail "callscribe is installed on this machine already; this test would purge it"
fi
deb=$(bash scripts/package.sh)
echo "package-test: built $deb ($(du -h "$deb" | cut -f1))"
# Warnings are printed, errors fail (lintian's note on running as root is left out).
lintian --fail-on error "$deb" 2>&1 | { grep -v "running with root privileges" || true; }
[ "${PIPESTATUS[0]}" -eq 0 ] || fail "lintian reports errors in $deb"

work=$(mktemp -d)
service_pid=
cleanup() {
  [ -z "$service_pid" ] || kill "$service_pid" 2>/dev/null || true
  "${sudo_cmd[@]}" apt-get purge -y -qq callscribe >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get install -y -qq "$deb" >/dev/null
files=$(dpkg -L callscribe)
getent passwd callscribe >/dev/null || fail "no callscribe user after the install"
[ "$(stat -c '%U:%G %a' /etc/callscribe/callscribe.env)" = "root:callscribe 640" ] ||
  fail "/etc/callscribe/callscribe.env is $(stat -c '%U:%G %a' /etc/callscribe/callscribe.env)"
[ "$(stat -c '%U' /var/lib/callscribe)" = callscribe ] || fail "/var/lib/callscribe is not callscribe's"
dpkg-query -W -f='${Conffiles}\n' callscribe | grep -q /etc/callscribe/callscribe.env ||
  fail "/etc/callscribe/callscribe.env is not a conffile"
# As the callscribe user, the way the units run it; setpriv and env exec the command (no process
# in between), so a signal reaches the service and its exit status comes back.
as_service=("${sudo_cmd[@]}" setpriv --reuid=callscribe --regid=callscribe --init-groups
            env HOME=/var/lib/callscribe)

# The installed binary transcribes the demo call (a copy the callscribe user can read).
cp samples/demo-call.mp3 "$work/demo-call.mp3"
chmod 755 "$work" && chmod 644 "$work/demo-call.mp3"
"${as_service[@]}" /usr/bin/callscribe transcribe "$work/demo-call.mp3" >"$work/transcript.txt"
grep -q "appointment" "$work/transcript.txt" || fail "the transcript lacks 'appointment': $(cat "$work/transcript.txt")"
echo "package-test: transcribe: $(wc -l <"$work/transcript.txt") lines"

# serve --sandbox in the data folder the units use, with the installed demo call, until the
# demo call is done.
(cd /var/lib/callscribe && exec "${as_service[@]}" CALLSCRIBE_LISTEN=127.0.0.1:0 \
  CALLSCRIBE_WORKERS=1 /usr/bin/callscribe serve --sandbox >"$work/serve.out" 2>"$work/serve.err") &
service_pid=$!
url=
for _ in $(seq 1 300); do
  url=$(grep -oP '^callscribe serving on \K\S+' "$work/serve.out" || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || fail "serve --sandbox did not start: $(tail -5 "$work/serve.err")"
status=
for _ in $(seq 1 180); do
  status=$(curl -sf "$url/api/calls/CAdeb0ca11000000000000000000000001" |
           python3 -c 'import json,sys; print(json.load(sys.stdin).get("status",""))' 2>/dev/null || true)
  [ "$status" = done ] || [ "$status" = gave_up ] && break
  sleep 0.5
done
[ "$status" = done ] || fail "the demo call is '$status', not done: $(tail -5 "$work/serve.err")"
grep -q "/usr/share/callscribe/demo-call.mp3" "$work/serve.err" ||
  fail "serve --sandbox did not use the installed demo call"
kill -TERM "$service_pid"
wait "$service_pid" || fail "serve --sandbox did not exit 0 on SIGTERM"
service_pid=
[ -n "$(ls -A /var/lib/callscribe/data 2>/dev/null)" ] ||
  fail "serve --sandbox kept nothing in /var/lib/callscribe/data"
echo "package-test: serve --sandbox: the demo call is done"

"${sudo_cmd[@]}" apt-get purge -y -qq callscribe >/dev/null
left=()
while read -r f; do
  [ -z "$f" ] || [ -d "$f" ] || [ ! -e "$f" ] || left+=("$f")
done <<<"$files"
for f in /etc/callscribe /var/lib/callscribe /usr/share/callscribe /usr/share/doc/callscribe; do
  [ ! -e "$f" ] || left+=("$f")
done
getent passwd callscribe >/dev/null && left+=("the callscribe user")
getent group callscribe >/dev/null && left+=("the callscribe group")
[ ${#left[@]} -eq 0 ] || fail "left behind after the purge: ${left[*]}"
echo "package-test: $(basename "$deb"): lintian clean, installed, ran, purged without a trace"
