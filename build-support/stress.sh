#!/usr/bin/env bash
# Runs the README's two commands from fresh clones of the committed HEAD while LOOPS busy loops load
# the CPU: in each of RUNS clones, the samples tour (the first command) TOURS times, then all tests
# (the second). Prints how many tours and suites were green, and which tests failed how often.
# A figure for RELIABILITY.md, not a CI step (CI runs the suite once).
#
#   [TOURS=2] build-support/stress.sh [RUNS=10] [LOOPS=2] [extra Maven arguments for the suite, e.g. -pl testkit -am]
#
# TOURS=0 runs the suites only.
#
# Clones share ~/.m2 (the wrapper and dependencies are not fetched again). Logs and the surefire
# reports of failed runs stay in the directory printed at the end.
set -uo pipefail
runs="${1:-10}"
loops="${2:-2}"
shift $(( $# < 2 ? $# : 2 ))
repo="$(cd "$(dirname "$0")/.." && pwd)"
command="$(grep -m1 -A1 '^# Run all tests' "$repo/README.md" | tail -n1)"
[[ "$command" == ./mvnw* ]] || { echo "cannot find the test command under '# Run all tests' in README.md" >&2; exit 2; }
tour="$(grep -m1 -A1 '^# Run the samples tour' "$repo/README.md" | tail -n1)"
[[ "$tour" == ./mvnw* ]] || { echo "cannot find the tour command under '# Run the samples tour' in README.md" >&2; exit 2; }
tours="${TOURS:-2}"
work="$(mktemp -d "${TMPDIR:-/tmp}/kproducer-stress.XXXXXX")"
busy=()
build=""
cleanup() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  # The Maven run of the moment, and the JVM it started.
  if [[ -n "$build" ]]; then pkill -TERM -P "$build" 2>/dev/null; kill "$build" 2>/dev/null; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
for ((i = 0; i < loops; i++)); do
  bash -c 'while :; do :; done' &
  busy+=("$!")
done

echo "stress: $runs runs of $tours x '$tour', then '$command $*', with $loops busy loops on $(nproc) cores; work in $work"
green=0
toursRun=0
toursGreen=0
for ((run = 1; run <= runs; run++)); do
  dir="$work/run-$run"
  git clone -q "$repo" "$dir"
  for ((t = 1; t <= tours; t++)); do
    started=$(date +%s)
    (cd "$dir" && CI=true exec $tour >"$work/run-$run-tour-$t.log" 2>&1 </dev/null) &
    build=$!
    toursRun=$((toursRun + 1))
    if wait "$build"; then
      toursGreen=$((toursGreen + 1)); result=green
      # A green tour still must not print a broker's stack trace.
      if grep -q "^[[:space:]]*at org.apache.kafka\|ERROR" "$work/run-$run-tour-$t.log"; then result="green, with errors logged"; fi
    else
      result=red
    fi
    build=""
    echo "run $run, tour $t: $result in $(( $(date +%s) - started )) s"
    [[ "$result" == green ]] && rm -f "$work/run-$run-tour-$t.log"
  done
  started=$(date +%s)
  (cd "$dir" && CI=true exec $command "$@" >"$work/run-$run.log" 2>&1 </dev/null) &
  build=$!
  if wait "$build"; then
    green=$((green + 1)); result=green
  else
    result=red
  fi
  build=""
  # Every failed or errored test case of this run, one per line, for the summary.
  python3 - "$dir" >>"$work/failures.txt" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
for report in glob.glob(sys.argv[1] + "/*/target/surefire-reports/TEST-*.xml"):
    for case in ET.parse(report).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            print(f"{case.get('classname')} > {case.get('name')}")
PY
  echo "run $run, suite: $result in $(( $(date +%s) - started )) s"
  if [[ "$result" == green ]]; then rm -rf "$dir"; fi
done

echo
echo "tours: $toursRun, green: $toursGreen; suites: $runs, green: $green; load: $loops busy loops"
if [[ -s "$work/failures.txt" ]]; then
  echo "failures by test:"
  sort "$work/failures.txt" | uniq -c | sort -rn
else
  echo "failures by test: none"
fi
echo "logs: $work"
[[ "$green" -eq "$runs" && "$toursGreen" -eq "$toursRun" ]]
