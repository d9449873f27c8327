#!/usr/bin/env bash
# Peak memory, CPU and wall time of `callscribe transcribe` (decode, VAD, the engine) for a
# 1-minute and a 60-minute telephone call of real speech: the eval set's telephone utterances in
# turn, 1.5 s of line hiss between them, 8 kHz MP3 as Twilio hands it out.
#
#   bench/transcribe_memory.sh [BUILD_DIR] [MINUTES...] [-- TRANSCRIBE_OPTIONS...]
#       (defaults: build, 1 60; e.g. -- --engine whisper --model ggml-base.en.bin)
#   CHANNELS=2     a two-channel call, the turns alternating between caller and agent
#   WORKERS=N      CALLSCRIBE_WORKERS (default 1): with 2, a two-channel call uses two cores
#
# RTF = user CPU seconds / audio seconds (the model load included); wall× = wall seconds / audio
# seconds: the time from a ready recording to its transcript, relative to the call's length.
set -euo pipefail
source "$(dirname "$0")/results.sh"
record_results "$@"

build=build
if [[ $# -gt 0 && $1 != -- ]]; then build=$1; shift; fi
minutes_list=()
while [[ $# -gt 0 && $1 != -- ]]; do minutes_list+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
options=("$@")
[[ ${#minutes_list[@]} -gt 0 ]] || minutes_list=(1 60)
channels=${CHANNELS:-1}
eval_dir="$(cd "$(dirname "$0")/../.." && pwd)/shared/eval"
decode="$build/bench/callscribe_decode"
[[ -x $decode && -x $build/callscribe ]] || { echo "build first (scripts/build.sh)" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "needs /usr/bin/time (scripts/install-test-deps.sh)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mapfile -t speech < <(ls "$eval_dir"/synth/phone/*.wav "$eval_dir"/real/phone/*.wav)
call_kind=--call
[[ $channels == 2 ]] && call_kind=--call2

printf '%-8s %3s %10s %14s %10s %8s %8s %8s %8s\n' "call" "ch" "audio_s" "peak RSS KiB" "user_s" \
    "RTF" "wall_s" "wall×" "words"
for minutes in "${minutes_list[@]}"; do
    file="$work/call_${minutes}min.mp3"
    "$decode" "$call_kind" $((minutes * 60)) "$file" mp3 "${speech[@]}"
    CALLSCRIBE_WORKERS=${WORKERS:-1} /usr/bin/time -v "$build/callscribe" transcribe --no-progress \
        "${options[@]}" "$file" >"$work/out" 2>"$work/time" || { cat "$work/time" >&2; exit 1; }
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    user=$(awk -F': ' '/User time/ {print $2}' "$work/time")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$work/time" |
        awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    words=$(wc -w <"$work/out")
    printf '%-8s %3s %10d %14s %10s %8.3f %8.1f %8.3f %8s\n' "${minutes} min" "$channels" \
        $((minutes * 60)) "$rss" "$user" "$(echo "$user / ($minutes * 60)" | bc -l)" "$wall" \
        "$(echo "$wall / ($minutes * 60)" | bc -l)" "$words"
done
