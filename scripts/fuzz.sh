#!/usr/bin/env bash
# Builds the libFuzzer harnesses of fuzz/ into ./build-sanitize (scripts/build-sanitized.sh: clang++,
# AddressSanitizer and UndefinedBehaviorSanitizer) and runs each one for a bounded time from its committed corpus,
# as many at a time as there are cores (a libFuzzer run uses one).
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]     default: 60 s, every target
#
# CALLSCRIBE_FUZZ_SEED fixes libFuzzer's random seed (CI does: a run then repeats the inputs of
# the last one, so a red CI means a change broke something, not that the dice found something
# new); unset, every run explores afresh (scripts/reliability.sh).
#
# Each run starts from a scratch copy of fuzz/corpus/<target>, so new inputs do not dirty the
# tree (copy the interesting ones back by hand). Prints one line per target: executions,
# executions per second, new corpus items, crashes. A crash, leak or hang is saved under
# build-sanitize/artifacts/<target>/ and fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(twilio_signature recording_json sid audio_decoder config_toml webhook_verify url_encoding
           http_request whisper_model media_stream)
fi
build_targets=()
for t in "${targets[@]}"; do build_targets+=("fuzz_$t"); done
bash scripts/build-sanitized.sh "${build_targets[@]}"

export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# Fuzzes one target; its table row goes to $scratch/<target>.row, a failure to <target>.failed.
fuzz_target() {
  local t=$1
  local artifacts="build-sanitize/artifacts/$t" log="build-sanitize/fuzz_$t.log"
  rm -rf "$artifacts" && mkdir -p "$artifacts"
  cp -r "fuzz/corpus/$t" "$scratch/$t"
  local before after crashes execs rate status=0
  before=$(find "$scratch/$t" -type f | wc -l)
  echo "fuzz: $t for ${seconds}s (log: $log)"
  # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: one that needs 2 GB a bug.
  "build-sanitize/fuzz/fuzz_$t" "$scratch/$t" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -seed="${CALLSCRIBE_FUZZ_SEED:-0}" -print_final_stats=1 -artifact_prefix="$artifacts/" >"$log" 2>&1 || status=$?
  after=$(find "$scratch/$t" -type f | wc -l)
  crashes=$(find "$artifacts" -type f | wc -l)
  final_stat() { grep -oP "^stat::$1:\s*\K[0-9]+" "$log" | tail -1 || true; }
  execs=$(final_stat number_of_executed_units)
  rate=$(final_stat average_exec_per_sec)
  printf '%-18s %12s %8s %6s %8s\n' "$t" "${execs:-?}" "${rate:-?}" "$((after - before))" "$crashes" \
    >"$scratch/$t.row"
  if [ "$status" -ne 0 ] || [ "$crashes" -ne 0 ]; then
    touch "$scratch/$t.failed"
    { echo "fuzz: $t FAILED (exit $status); the input is in $artifacts/:"
      grep -E "ERROR|SUMMARY|property broken|invariant broken|runtime error" "$log" | head -5 || true
    } >&2
  fi
}

for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$(nproc)" ]; do wait -n || true; done
  fuzz_target "$t" &
done
wait

printf '\n%-18s %12s %8s %6s %8s\n' target executions exec/s new crashes
failed=0
for t in "${targets[@]}"; do
  cat "$scratch/$t.row" 2>/dev/null || printf '%-18s did not finish\n' "$t"
  if [ -e "$scratch/$t.failed" ] || [ ! -e "$scratch/$t.row" ]; then failed=1; fi
done
exit "$failed"
