#!/usr/bin/env bash
# API throughput against a minimal Kestrel endpoint, and with its metrics instrumentation against
# without it (OpenTelemetry's standard OTEL_SDK_DISABLED=true), measured in the same run on the same
# machine. Needs wrk and kcat (apt-get install wrk kcat).
# Usage: bench/api.sh [seconds] [warm-up seconds] [rounds]
# Prints each figure, the ratios, and whether every 2xx has its event on the topic.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
seconds=${1:-10}
warmup=${2:-20} # JIT tiering and the thread pool settle in the first seconds under load
rounds=${3:-2}  # instrumented and uninstrumented alternate, so drift on a shared machine hits both
out=$(mktemp -d)
url_path="/purchase_item?item=sword"

dotnet publish -c Release -o "$out/min" bench/MinimalKestrel >/dev/null
dotnet publish -c Release -o "$out/api" GameApi.Web >/dev/null

# measure PORT NAME: warm up (JIT, thread pool), then measure into $out/wrk-NAME.txt
measure() {
  local port=$1 name=$2
  # Up once anything answers; a path that records no event (a 404), so every event is one wrk counted.
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/up" && break; sleep 0.2; done
  wrk -t2 -c64 -d"${warmup}s" "http://127.0.0.1:$port$url_path" >"$out/warmup-$name.txt"
  wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port$url_path" >"$out/wrk-$name.txt"
}

"$out/min/MinimalKestrel" --urls http://127.0.0.1:5100 >"$out/min.log" 2>&1 &
min_pid=$!
measure 5100 min
kill $min_pid; wait $min_pid 2>/dev/null || true
read -r _ min_rps min_p99 min_bad < <(summary "$out/wrk-min.txt")
echo "minimal Kestrel:              $min_rps req/s, p99 $min_p99, non-2xx $min_bad"

# api NAME [ENV=VALUE...]: runs the API on its own embedded broker, measures it, checks the topic.
api() {
  local name=$1; shift
  local broker=127.0.0.1:19092
  # PARTITIONS unset: the embedded default.
  # From its own folder: the content root, where appsettings.json sets the log levels an operator runs with.
  (cd "$out/api" && exec env ${PARTITIONS:+Kafka__Partitions=$PARTITIONS} "$@" Kafka__EmbeddedAddress=$broker \
    Spool__Path="$out/spool-$name/events.db" ./GameApi.Web --urls http://127.0.0.1:5200) >"$out/api-$name.log" 2>&1 &
  local pid=$!
  measure 5200 "$name"
  local status=0
  measured "$name" $broker "$out" || status=$?
  kill $pid; wait $pid 2>/dev/null || true
  [ $status -eq 0 ] || exit 1
}

for round in $(seq "$rounds"); do
  api "instrumented-$round"
  api "uninstrumented-$round" OTEL_SDK_DISABLED=true
done

with=$(mean "$out/rps-instrumented"); without=$(mean "$out/rps-uninstrumented")
echo "mean over $rounds rounds:     instrumented $with req/s, uninstrumented $without req/s"
awk -v a="$with" -v m="$min_rps" 'BEGIN {printf "GameApi vs minimal Kestrel:   %.1f%%\n", 100*a/m}'
awk -v a="$with" -v b="$without" 'BEGIN {printf "instrumented vs without:      %.1f%% (target: at least 95%%)\n", 100*a/b}'
echo "every 2xx has its event"
rm -rf "$out"
