#!/usr/bin/env bash
# Fuzzes cnnc's input surfaces with libFuzzer (the sanitizer build's fuzz
# targets, ASan + UBSan): each target for SECONDS (default 60) or RUNS
# executions, from its seeds, with a working corpus in build-sanitized/fuzz/.
# Crashing inputs are left there as crash-*/timeout-*/oom-*: once fixed, copy
# each into tests/fuzz/regressions/<target>/ so the tests replay it.
#   scripts/fuzz.sh [--runs N | --seconds S] [TARGET...]
# Targets: spec safetensors npy image manifest weights-file onnx (default: all).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
limit=(-max_total_time=60)
case "${1:-}" in
  --runs) limit=(-runs="$2"); shift 2 ;;
  --seconds) limit=(-max_total_time="$2"); shift 2 ;;
esac
targets=("$@")
((${#targets[@]})) || targets=(spec safetensors npy image manifest weights-file onnx)

"$root/scripts/build-sanitized.sh" >/dev/null
source "$root/scripts/sanitizer-env.sh"
build="$root/build-sanitized"
declare -A seeds=([spec]="$root/frontend/presets $root/tests/lit/spec")
for target in "${targets[@]}"; do
  work="$build/fuzz/$target"
  mkdir -p "$work/corpus"
  dirs=("$work/corpus")
  for dir in ${seeds[$target]:-} "$root/tests/fuzz/corpus/$target" "$root/tests/fuzz/regressions/$target"; do
    [[ -d $dir ]] && dirs+=("$dir")
  done
  echo "fuzz-$target:"
  # The whole log stays in $work/log.txt; the summary lines are printed.
  (cd "$work" && "$build/bin/fuzz-$target" "${limit[@]}" -timeout=10 -rss_limit_mb=4096 \
     -close_fd_mask=3 -print_final_stats=1 "${dirs[@]}" 2>&1 | tee log.txt |
     grep -E "^stat::number_of_executed_units|^stat::peak_rss|^==[0-9]+==ERROR|SUMMARY|Test unit written" || true)
done
