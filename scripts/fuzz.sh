#!/usr/bin/env bash
# fuzz.sh fuzzes targets one after another, each within its budget, and stops
# at the first that fails, printing its log.
#
# Usage: fuzz.sh [-budget BUDGET] PACKAGE:TARGET[:EXECUTIONS]...
#
# Each target runs for its own number of executions (go test -fuzztime Nx)
# unless -budget gives one budget to all: a count such as 5000x, or a
# duration such as 2m. `make test` uses counts. With a duration, Go 1.26's
# fuzzing coordinator can end a run that found nothing with "--- FAIL" and
# "context deadline exceeded" at the deadline, writing no failing input
# (https://go.dev/issue/75804, fixed in Go 1.27); a count sets no deadline.
# With a duration a run that failed exactly so is reported as that and not
# as a failure; a run that wrote a failing input, or failed in any other way,
# fails.
#
# Each run's log goes to a folder of its own (mktemp), removed at the end
# unless a run failed. GO names the go command (default: go).
#
# Exit status: 0 when every target passed, 1 when one failed, 2 on bad usage.
set -euo pipefail

go=${GO:-go}
budget=""
if [ "${1:-}" = -budget ]; then
	[ $# -ge 2 ] || { echo "usage: $0 [-budget BUDGET] PACKAGE:TARGET[:EXECUTIONS]..." >&2; exit 2; }
	budget=$2
	shift 2
fi
[ $# -gt 0 ] || { echo "usage: $0 [-budget BUDGET] PACKAGE:TARGET[:EXECUTIONS]..." >&2; exit 2; }

logs=$(mktemp -d "${TMPDIR:-/tmp}/wechatpay-fuzz.XXXXXX")

# corpus_state lists the files of a target's committed corpus folder, where
# go test writes a failing input.
corpus_state() {
	if [ -d "$1" ]; then (cd "$1" && ls -A); fi
}

# coordinator_race reports whether log shows the coordinator's deadline
# failure and nothing else: the target's FAIL line followed only by "context
# deadline exceeded", no failing input written, the corpus folder unchanged.
coordinator_race() {
	local name=$1 log=$2 corpus=$3 before=$4
	[ "$(corpus_state "$corpus")" = "$before" ] || return 1
	! grep -q -e 'Failing input written' -e 'failure while testing seed corpus' "$log" || return 1
	awk -v fail="--- FAIL: $name (" '
		index($0, fail) == 1 { at = NR; next }
		at && NR == at + 1 { ok = ($0 == "    context deadline exceeded") }
		at && NR == at + 2 { ok = ok && ($0 == "FAIL") }
		END { exit !(at && ok) }' "$log"
}

for target in "$@"; do
	IFS=: read -r pkg name executions <<<"$target"
	this=${budget:-${executions:+${executions}x}}
	if [ -z "$pkg" ] || [ -z "$name" ] || [ -z "$this" ]; then
		echo "fuzz.sh: $target: want PACKAGE:TARGET:EXECUTIONS, or -budget" >&2
		exit 2
	fi
	log=$logs/$name.log
	corpus=$pkg/testdata/fuzz/$name
	before=$(corpus_state "$corpus")
	echo "fuzz $name ($pkg) for $this"
	if "$go" test -run '^$' -fuzz "^$name\$" -fuzztime "$this" "$pkg" >"$log" 2>&1; then
		grep -h 'elapsed' "$log" | tail -n 1
		continue
	fi
	case $this in
	*x) ;;
	*)
		if coordinator_race "$name" "$log" "$corpus" "$before"; then
			grep -h 'elapsed' "$log" | tail -n 1
			echo "fuzz $name: not a finding: Go's fuzzing coordinator failed the run at its deadline and wrote no input (go.dev/issue/75804)"
			continue
		fi
		;;
	esac
	cat "$log"
	echo "fuzz.sh: $name ($pkg) failed; its log is $log" >&2
	exit 1
done
rm -rf "$logs"
