#!/usr/bin/env bash
# Runs `parley bench` against InspIRCd and ngIRCd on loopback, with the
# configurations in bench/peers/ (flood and connection limits off), so that
# parley's own figures have something to stand next to.
#
# The server is pinned to CPU 0 and the generator to CPU 1 (taskset), so the
# two do not fight over one core. Each run prints the bench summary, and the
# JSON lines (with a "peer" field added) are collected in $OUT/results.jsonl.
#
# Usage:
#   scripts/bench-peers.sh                      # both peers, default scenarios
#   scripts/bench-peers.sh ngircd               # one peer
#   scripts/bench-peers.sh inspircd -- latency --duration 5s
#                                               # one custom scenario
# Environment:
#   INSPIRCD_PORT (16667), NGIRCD_PORT (16668), OUT (a new temporary dir),
#   SERVER_CPU (0), BENCH_CPU (1), DURATION (10s),
#   FANOUT_CONNECT_RATE (300): ngIRCd listens with a backlog of 10, so
#     bursts faster than it accepts lose connections during setup,
#   IDLE_CLIENTS (2000), IDLE_CONNECT_RATE (1000).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

INSPIRCD_PORT=${INSPIRCD_PORT:-16667}
NGIRCD_PORT=${NGIRCD_PORT:-16668}
SERVER_CPU=${SERVER_CPU:-0}
BENCH_CPU=${BENCH_CPU:-1}
DURATION=${DURATION:-10s}
FANOUT_CONNECT_RATE=${FANOUT_CONNECT_RATE:-300}
IDLE_CLIENTS=${IDLE_CLIENTS:-2000}
IDLE_CONNECT_RATE=${IDLE_CONNECT_RATE:-1000}
OUT=${OUT:-$(mktemp -d -t parley-bench-peers.XXXXXX)}
mkdir -p "$OUT"

peers=()
custom=()
while [ $# -gt 0 ]; do
	case "$1" in
	inspircd | ngircd) peers+=("$1") ;;
	--) shift; custom=("$@"); break ;;
	*) echo "usage: $0 [inspircd] [ngircd] [-- <scenario> [bench flags]]" >&2; exit 2 ;;
	esac
	shift
done
[ ${#peers[@]} -gt 0 ] || peers=(inspircd ngircd)

for cmd in taskset "${peers[@]}"; do
	command -v "$cmd" >/dev/null || { echo "$cmd not found (apt-get install -y inspircd ngircd util-linux)" >&2; exit 1; }
done

# Build the generator once, so compiling does not overlap a measurement.
# `parley bench` is used once cmd/parley offers it, the standalone
# benchmain until then (or while the tree around it does not build).
if grep -qs 'bench\.Main' cmd/parley/*.go && go build -o "$OUT/parley" ./cmd/parley 2>"$OUT/build.log"; then
	bench=("$OUT/parley" bench)
else
	go build -o "$OUT/benchmain" ./internal/bench/benchmain
	bench=("$OUT/benchmain")
fi

server_pid=""
stop_server() {
	if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
		kill "$server_pid"
		wait "$server_pid" 2>/dev/null || true
	fi
	server_pid=""
}
trap stop_server EXIT

wait_port() {
	for _ in $(seq 50); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "server did not listen on port $1; see $OUT" >&2
	return 1
}

start_server() { # peer -> sets server_pid and port
	local peer=$1
	case "$peer" in
	inspircd)
		port=$INSPIRCD_PORT
		local asroot=()
		[ "$(id -u)" -ne 0 ] || asroot=(--runasroot)
		BENCH_INSPIRCD_PORT=$port taskset -c "$SERVER_CPU" inspircd \
			--config="$root/bench/peers/inspircd.conf" --nofork --nopid "${asroot[@]}" \
			>"$OUT/inspircd.log" 2>&1 &
		;;
	ngircd)
		port=$NGIRCD_PORT
		sed "s/^\([[:space:]]*Ports = \).*/\1$port/" bench/peers/ngircd.conf >"$OUT/ngircd.conf"
		taskset -c "$SERVER_CPU" ngircd --nodaemon --config "$OUT/ngircd.conf" \
			>"$OUT/ngircd.log" 2>&1 &
		;;
	esac
	server_pid=$!
	wait_port "$port"
}

run_bench() { # peer, bench args...
	local peer=$1
	shift
	echo "== $peer: ${*}" >&2
	taskset -c "$BENCH_CPU" "${bench[@]}" "$@" | tee "$OUT/last.txt"
	tail -n 1 "$OUT/last.txt" | sed "s/^{/{\"peer\":\"$peer\",/" >>"$OUT/results.jsonl"
}

for peer in "${peers[@]}"; do
	# A fresh server per scenario, so one run's leftovers never weigh on the next.
	if [ ${#custom[@]} -gt 0 ]; then
		start_server "$peer"
		extra=(--addr "127.0.0.1:$port")
		[ "${custom[0]}" != idle ] || extra+=(--server-pid "$server_pid")
		run_bench "$peer" "${custom[@]}" "${extra[@]}"
		stop_server
		continue
	fi
	start_server "$peer"
	run_bench "$peer" fanout --addr "127.0.0.1:$port" --members 500 --senders 5 \
		--duration "$DURATION" --connect-rate "$FANOUT_CONNECT_RATE"
	stop_server
	start_server "$peer"
	run_bench "$peer" idle --addr "127.0.0.1:$port" --clients "$IDLE_CLIENTS" --channels 3 \
		--duration 5s --connect-rate "$IDLE_CONNECT_RATE" --server-pid "$server_pid"
	stop_server
done

echo "results: $OUT/results.jsonl" >&2
