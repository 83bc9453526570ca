#!/usr/bin/env bash
# Runs `parley bench` against parley, InspIRCd and ngIRCd on loopback, side by
# side, with the configurations in bench/peers/ (flood and connection limits
# off for every server), so the figures compare like with like.
#
# The server is pinned to CPU 0 and the generator to CPU 1 (taskset), so the
# two do not fight over one core. Each run prints the bench summary, and the
# JSON lines (with a "peer" field added) are collected in $OUT/results.jsonl.
#
# Usage:
#   scripts/bench-peers.sh                      # all servers, default scenarios
#   scripts/bench-peers.sh parley ngircd        # some servers
#   scripts/bench-peers.sh inspircd -- latency --duration 5s
#                                               # one custom scenario
# Environment:
#   PARLEY_PORT (16666), INSPIRCD_PORT (16667), NGIRCD_PORT (16668), OUT (a new temporary dir),
#   PARLEY_HISTORY (true): history.enabled for the parley server,
#   SERVER_CPU (0), BENCH_CPU (1), DURATION (10s),
#   FANOUT_CONNECT_RATE (300): ngIRCd listens with a backlog of 10, so
#     bursts faster than it accepts lose connections during setup,
#   IDLE_CLIENTS (2000), IDLE_CONNECT_RATE (1000).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

PARLEY_PORT=${PARLEY_PORT:-16666}
PARLEY_HISTORY=${PARLEY_HISTORY:-true}
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
	parley | inspircd | ngircd) peers+=("$1") ;;
	--) shift; custom=("$@"); break ;;
	*) echo "usage: $0 [parley] [inspircd] [ngircd] [-- <scenario> [bench flags]]" >&2; exit 2 ;;
	esac
	shift
done
[ ${#peers[@]} -gt 0 ] || peers=(parley inspircd ngircd)

for cmd in taskset "${peers[@]}"; do
	[ "$cmd" = parley ] && continue
	command -v "$cmd" >/dev/null || { echo "$cmd not found (apt-get install -y inspircd ngircd util-linux)" >&2; exit 1; }
done

# Build the generator once, so compiling does not overlap a measurement.
# `parley bench` is used once cmd/parley offers it, the standalone
# benchmain until then (or while the tree around it does not build).
go build -o "$OUT/parley" ./cmd/parley
bench=("$OUT/parley" bench)

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
	parley)
		port=$PARLEY_PORT
		rm -rf "$OUT/parley-data"
		cat >"$OUT/parley.yaml" <<YAML
server: {name: bench.parley}
listen: {irc: ["127.0.0.1:$port"], http: ""}
data_dir: $OUT/parley-data
history: {enabled: $PARLEY_HISTORY}
limits:
  flood: {enabled: false}
  per_ip: 0
  connect_throttle: {burst: 0}
  registration_timeout: 60s
YAML
		taskset -c "$SERVER_CPU" "$OUT/parley" serve --config "$OUT/parley.yaml" </dev/null >"$OUT/parley.log" 2>&1 &
		;;
	inspircd)
		port=$INSPIRCD_PORT
		local asroot=()
		[ "$(id -u)" -ne 0 ] || asroot=(--runasroot)
		BENCH_INSPIRCD_PORT=$port taskset -c "$SERVER_CPU" inspircd \
			--config="$root/bench/peers/inspircd.conf" --nofork --nopid "${asroot[@]}" \
			</dev/null >"$OUT/inspircd.log" 2>&1 &
		;;
	ngircd)
		port=$NGIRCD_PORT
		sed "s/^\([[:space:]]*Ports = \).*/\1$port/" bench/peers/ngircd.conf >"$OUT/ngircd.conf"
		taskset -c "$SERVER_CPU" ngircd --nodaemon --config "$OUT/ngircd.conf" \
			</dev/null >"$OUT/ngircd.log" 2>&1 &
		;;
	esac
	server_pid=$!
	wait_port "$port"
}

run_bench() { # peer, bench args...
	local peer=$1
	shift
	echo "== $peer: ${*}" >&2
	taskset -c "$BENCH_CPU" "${bench[@]}" "$@" </dev/null | tee "$OUT/last.txt"
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
	# The scenarios of docs/benchmarks.md, each against a fresh server.
	while read -r scenario; do
		start_server "$peer"
		extra=()
		case "$scenario" in idle*) extra=(--server-pid "$server_pid") ;; esac
		# shellcheck disable=SC2086 # the scenario line is a list of words on purpose
		run_bench "$peer" $scenario --addr "127.0.0.1:$port" "${extra[@]}"
		stop_server
	done <<SCENARIOS
fanout --members 500 --senders 5 --window 64 --duration $DURATION --connect-rate $FANOUT_CONNECT_RATE
fanout --members 2000 --senders 1 --window 256 --duration $DURATION --connect-rate $FANOUT_CONNECT_RATE
fanout --members 500 --senders 5 --rate 400 --duration $DURATION --connect-rate $FANOUT_CONNECT_RATE
rooms --rooms 1000 --members 10 --per-member-rate 1 --duration $DURATION --connect-rate $IDLE_CONNECT_RATE
idle --clients $IDLE_CLIENTS --channels 3 --duration 5s --connect-rate $IDLE_CONNECT_RATE
latency --duration $DURATION
SCENARIOS
done

echo "results: $OUT/results.jsonl" >&2
