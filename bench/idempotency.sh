#!/usr/bin/env bash
# Throughput of the API with an Idempotency-Key on every request (each key new, so each is claimed,
# processed and kept: the costly path) against the same build without keys, and the build without
# keys against a baseline build from before Idempotency-Key existed, all in the same run on the same
# machine. Needs wrk and kcat (apt-get install wrk kcat).
# Usage: bench/idempotency.sh [baseline git ref] [seconds] [warm-up seconds] [rounds]
# Environment:
#   CONFIGS   the configurations each round runs, BUILD:KEYS with BUILD baseline or current and KEYS
#             yes or no (default "baseline:no current:no current:yes")
#   THINK_MS  a pause before each request on every connection (default 0: as fast as the API answers);
#             with a pause the load is below the API's limit and the latencies are what to compare
# Prints each figure, the means, the ratios, and whether every 2xx has its event on the topic.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
baseline=${1:-fced4f2} # the last commit before Idempotency-Key
seconds=${2:-10}
warmup=${3:-20}
rounds=${4:-2}
configs=${CONFIGS:-baseline:no current:no current:yes}
think=${THINK_MS:-0}
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
  local header=none
  [ "$keys" = yes ] && header=keys
  wrk -t2 -c64 -d"${warmup}s" -s "$keys_script" "http://127.0.0.1:$port$url_path" -- "$name-warmup" $header "$think" >"$out/warmup-$name.txt"
  wrk -t2 -c64 -d"${seconds}s" --latency -s "$keys_script" "http://127.0.0.1:$port$url_path" -- "$name" $header "$think" >"$out/wrk-$name.txt"
  # Each key is new, so every 2xx is one event, keys or not.
  local status=0
  measured "$name" $broker "$out" || status=$?
  kill $pid; wait $pid 2>/dev/null || true
  [ $status -eq 0 ] || exit 1
}

for round in $(seq "$rounds"); do
  for config in $configs; do
    run "${config/:/-keys-}-$round" "${config%:*}" "${config#*:}"
  done
done

echo "mean over $rounds rounds$( [ "$think" = 0 ] || echo ", ${think} ms pause before each request"):"
for config in $configs; do
  name=${config/:/-keys-}
  printf '  %-20s %s req/s, latency %s ms\n' "$name" "$(mean "$out/rps-$name")" "$(mean "$out/latency-$name" 2)"
done
if [ -f "$out/rps-current-keys-yes" ] && [ -f "$out/rps-current-keys-no" ]; then
  awk -v a="$(mean "$out/rps-current-keys-yes")" -v b="$(mean "$out/rps-current-keys-no")" \
    'BEGIN {printf "unique keys vs no keys:     %.1f%% (target: at least 70%%)\n", 100*a/b}'
fi
if [ -f "$out/rps-current-keys-no" ] && [ -f "$out/rps-baseline-keys-no" ]; then
  awk -v a="$(mean "$out/rps-current-keys-no")" -v b="$(mean "$out/rps-baseline-keys-no")" \
    'BEGIN {printf "no keys vs baseline:        %.1f%% (target: unchanged)\n", 100*a/b}'
fi
echo "every 2xx has its event"
rm -rf "$out"
