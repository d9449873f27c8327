#!/usr/bin/env bash
# Peak memory and CPU time of `callscribe transcribe` (decode, VAD, PocketSphinx) for a 1-minute
# and a 60-minute telephone call of real speech: the eval set's telephone utterances in turn,
# 1.5 s of line hiss between them, 8 kHz mono MP3 as Twilio hands it out.
#
#   bench/transcribe_memory.sh [BUILD_DIR] [MINUTES...]     (defaults: build, 1 60)
set -euo pipefail

build=${1:-build}
shift || true
minutes_list=("$@")
[[ ${#minutes_list[@]} -gt 0 ]] || minutes_list=(1 60)
eval_dir="$(cd "$(dirname "$0")/../.." && pwd)/shared/eval"
decode="$build/bench/callscribe_decode"
[[ -x $decode && -x $build/callscribe ]] || { echo "build first (scripts/build.sh)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (scripts/install-deps.sh)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t speech < <(ls "$eval_dir"/synth/phone/*.wav "$eval_dir"/real/phone/*.wav)

printf '%-8s %10s %14s %10s %8s %8s\n' "call" "audio_s" "peak RSS KiB" "user_s" "RTF" "words"
for minutes in "${minutes_list[@]}"; do
    file="$work/call_${minutes}min.mp3"
    "$decode" --call $((minutes * 60)) "$file" mp3 "${speech[@]}"
    CALLSCRIBE_WORKERS=1 /usr/bin/time -v "$build/callscribe" transcribe --no-progress "$file" \
        >"$work/out" 2>"$work/time"
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    user=$(awk -F': ' '/User time/ {print $2}' "$work/time")
    words=$(wc -w <"$work/out")
    printf '%-8s %10d %14s %10s %8.3f %8s\n' "${minutes} min" $((minutes * 60)) "$rss" "$user" \
        "$(echo "$user / ($minutes * 60)" | bc -l)" "$words"
done
