#!/usr/bin/env bash
# API throughput against a minimal Kestrel endpoint, measured in the same run on the same machine.
# Needs wrk and kcat (apt-get install wrk kcat). Usage: bench/api.sh [seconds] [warm-up seconds]
# Prints both figures, the ratio, and whether every 2xx has its event on the topic.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
warmup=${2:-20} # JIT tiering and the thread pool settle in the first seconds under load
out=$(mktemp -d)
url_path="/purchase_item?item=sword"
broker=127.0.0.1:19092

dotnet publish -c Release -o "$out/min" bench/MinimalKestrel >/dev/null
dotnet publish -c Release -o "$out/api" GameApi.Web >/dev/null

# run NAME PORT CMD...: start, warm up (JIT, thread pool), measure; prints "rps p99 requests non2xx"
measure() {
  local port=$1
  for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port$url_path" >/dev/null && break; sleep 0.2; done
  wrk -t2 -c64 -d"${warmup}s" "http://127.0.0.1:$port$url_path" >"$out/warmup-$port.txt"
  wrk -t2 -c64 -d"${seconds}s" --latency "http://127.0.0.1:$port$url_path" >"$out/wrk-$port.txt"
}
summary() { # file -> "requests rps p99 non2xx"
  awk '/requests in/ {r=$1} /Requests\/sec/ {s=$2} /^ +99%/ {p=$2} /Non-2xx/ {n=$5} /Socket errors/ {e=$0}
       END {printf "%s %s %s %d\n", r, s, p, n}' "$1"
}

"$out/min/MinimalKestrel" --urls http://127.0.0.1:5100 >"$out/min.log" 2>&1 &
min_pid=$!
measure 5100
kill $min_pid; wait $min_pid 2>/dev/null || true

Kafka__EmbeddedAddress=$broker Kafka__Partitions=${PARTITIONS:-4} Spool__Path="$out/spool/events.db" "$out/api/GameApi.Web" --urls http://127.0.0.1:5200 >"$out/api.log" 2>&1 &
api_pid=$!
measure 5200

read -r min_req min_rps min_p99 min_bad < <(summary "$out/wrk-5100.txt")
read -r api_req api_rps api_p99 api_bad < <(summary "$out/wrk-5200.txt")
read -r warm_req _ _ warm_bad < <(summary "$out/warmup-5200.txt")
ok_total=$(( api_req - api_bad + warm_req - warm_bad ))
events=$(kcat -b $broker -t events -C -o beginning -e -q | wc -l)
first_offsets=$(kcat -b $broker -t events -C -o beginning -e -q -f '%p:%o\n' | awk -F: '!seen[$1]++ {print $2}' | sort -u | tr '\n' ' ')
kill $api_pid; wait $api_pid 2>/dev/null || true

echo "minimal Kestrel: $min_rps req/s, p99 $min_p99, non-2xx $min_bad"
echo "GameApi:         $api_rps req/s, p99 $api_p99, non-2xx $api_bad"
awk -v a="$api_rps" -v m="$min_rps" 'BEGIN {printf "ratio:           %.1f%% of the minimal endpoint\n", 100*a/m}'
echo "2xx answered (warm-up + run): $ok_total; events on the topic: $events; first offset per partition: $first_offsets"
# wrk stops counting at its deadline while up to 64 requests are still in flight: their events exist,
# their answers are not counted. Fewer events than 2xx would be a lost acknowledged event.
if [ "$events" -lt "$ok_total" ] || [ "$events" -gt $(( ok_total + 128 )) ]; then
  echo "MISMATCH: every 2xx must have exactly one event"; exit 1
fi
echo "every 2xx has its event"
rm -rf "$out"
