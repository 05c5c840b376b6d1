#!/usr/bin/env bash
# Throughput of the API with an Idempotency-Key on every request (each key new, so each is claimed,
# processed and kept: the costly path) against the same build without keys, and the build without
# keys against a baseline build from before Idempotency-Key existed, all in the same run on the same
# machine. Needs wrk and kcat (apt-get install wrk kcat).
# Usage: bench/idempotency.sh [baseline git ref] [seconds] [warm-up seconds] [rounds]
# Prints each figure, the ratios, and whether every 2xx has its event on the topic.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
baseline=${1:-fced4f2} # the last commit before Idempotency-Key
seconds=${2:-10}
warmup=${3:-20}
rounds=${4:-2}
out=$(mktemp -d)
url_path="/purchase_item?item=sword"
keys_script="$PWD/bench/idempotency-keys.lua"

git worktree add --detach "$out/baseline-src" "$baseline" >/dev/null 2>&1
dotnet publish -c Release -o "$out/baseline" "$out/baseline-src/GameApi.Web" >/dev/null
git worktree remove --force "$out/baseline-src"
dotnet publish -c Release -o "$out/current" GameApi.Web >/dev/null

# run NAME BUILD KEYS(yes|no): the API on its own embedded broker and fresh files, warmed up, measured,
# its topic checked.
run() {
  local name=$1 build=$2 keys=$3
  local broker=127.0.0.1:19092 port=5200
  local state="$out/state-$name"
  mkdir -p "$state"
  (cd "$out/$build" && exec env Kafka__EmbeddedAddress=$broker Spool__Path="$state/events.db" \
    Idempotency__Path="$state/keys.db" ./GameApi.Web --urls http://127.0.0.1:$port) >"$out/api-$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/up" && break; sleep 0.2; done
  # wrk shares the two cores with the API: every configuration has its requests built by the same Lua
  # script, the runs without keys with the same requests minus the header ("none").
  local without=none
  [ "$keys" = yes ] && without=
  wrk -t2 -c64 -d"${warmup}s" -s "$keys_script" "http://127.0.0.1:$port$url_path" -- "$name-warmup" $without >"$out/warmup-$name.txt"
  wrk -t2 -c64 -d"${seconds}s" --latency -s "$keys_script" "http://127.0.0.1:$port$url_path" -- "$name" $without >"$out/wrk-$name.txt"
  # Each key is new, so every 2xx is one event, keys or not.
  local status=0
  measured "$name" $broker "$out" || status=$?
  kill $pid; wait $pid 2>/dev/null || true
  [ $status -eq 0 ] || exit 1
}

for round in $(seq "$rounds"); do
  run "baseline-$round" baseline no
  run "no-keys-$round" current no
  run "unique-keys-$round" current yes
done

base=$(mean "$out/rps-baseline"); plain=$(mean "$out/rps-no-keys"); keyed=$(mean "$out/rps-unique-keys")
echo "mean over $rounds rounds:    baseline $base, no keys $plain, unique keys $keyed req/s"
awk -v a="$keyed" -v b="$plain" 'BEGIN {printf "unique keys vs no keys:     %.1f%% (target: at least 70%%)\n", 100*a/b}'
awk -v a="$plain" -v b="$base" 'BEGIN {printf "no keys vs baseline:        %.1f%% (target: unchanged)\n", 100*a/b}'
echo "every 2xx has its event"
rm -rf "$out"
