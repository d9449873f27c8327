# Sourced by every benchmark script: copies what the script prints (stdout and stderr) to
# bench/results/NAME-YYYY-MM-DDTHHMMSS.txt (NAME: the script's, without .sh), below a header
# that says when, on which commit and how busy the machine was, so that a figure in
# bench/README.md can name the file it came from.
#
#   source "$(dirname "$0")/results.sh"; record_results "$@"
#
# BENCH_RESULTS=0 turns the copy off; BENCH_RESULTS_DIR writes elsewhere (default bench/results).

record_results() {
    local script name
    script=$(basename "$0")
    name=${script%.sh}
    [[ ${BENCH_RESULTS:-1} == 0 || -n ${CALLSCRIBE_BENCH_RECORDING:-} ]] && return 0
    local root dir file commit
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    dir=${BENCH_RESULTS_DIR:-$root/bench/results}
    mkdir -p "$dir"
    file="$dir/$name-$(date -u +%Y-%m-%dT%H%M%S).txt"
    commit=$(git -C "$root" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    if [[ $commit != unknown ]] && ! git -C "$root" diff --quiet HEAD -- src bench 2>/dev/null; then
        commit="$commit (with uncommitted changes to src/ or bench/)"
    fi
    {
        echo "# bench/$script $*"
        echo "# date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
        echo "# commit: $commit"
        echo "# machine: $(nproc) cores, $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)," \
             "$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM"
        echo "# load average at start (1, 5, 15 min): $(cut -d' ' -f1-3 /proc/loadavg)"
        echo
    } >"$file"
    # Children (a script that runs another benchmark script) write into this file, not their own.
    export CALLSCRIBE_BENCH_RECORDING=$file
    echo "bench/$name: writing a copy to ${file#"$root"/}" >&2
    exec > >(tee -a "$file") 2> >(tee -a "$file" >&2)
}
