#!/usr/bin/env bash
# How many events of the usual size the embedded broker keeps, and that the API warns when it drops.
# librdkafka's mock broker keeps at most 5 MiB of stored batches per partition (src/rdkafka_mock.c) and
# drops the oldest past that. Needs wrk and kcat (apt-get install wrk kcat).
# Usage: bench/retention.sh [seconds of load for the capacity run, default 100]
#   1. worst case per partition: one request at a time, so every event is a batch of its own, into a
#      1-partition topic for 30 s; prints how many events the partition kept and how many it dropped,
#      and whether the API warned.
#   2. the embedded default (80 partitions) under wrk -c64 until over a million requests were answered;
#      prints events on the topic, the first offset of every partition, and any drop warning.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-100}
out=$(mktemp -d)
broker=127.0.0.1:19093
url="http://127.0.0.1:5300/purchase_item?item=sword"
# What a game client sends: the event is about 250 bytes of JSON.
headers=(-H "User-Agent: GameClient/2.3.1 (Android 14; Pixel 8)" -H "Accept: */*" -H "X-Game-Version: 2.3.1")

dotnet publish -c Release -o "$out/api" GameApi.Web >/dev/null

start_api() { # NAME [ENV=VALUE...]
  local name=$1; shift
  # From its own folder: the content root, where appsettings.json sets the log levels.
  (cd "$out/api" && exec env "$@" Kafka__EmbeddedAddress=$broker Spool__Path="$out/spool-$name/events.db" \
    ./GameApi.Web --urls http://127.0.0.1:5300) >"$out/$name.log" 2>&1 &
  api_pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:5300/up" && break; sleep 0.2; done
}
stop_api() { kill $api_pid; wait $api_pid 2>/dev/null || true; }
count() { kcat -b $broker -t events -C -o beginning -e -q | wc -l; }
first_offsets() { kcat -b $broker -t events -C -o beginning -e -q -f '%p %o\n' | awk '!seen[$1]++ {print $2}'; }
requests() { awk '/requests in/ {r=$1} /Non-2xx/ {n=$5} END {print r - n}' "$1"; }

start_api worst Kafka__Partitions=1
wrk -t1 -c1 -d30s "${headers[@]}" "$url" >"$out/wrk-worst.txt"
sleep 3 # the API checks the broker every 2 s
kept=$(count); dropped=$(first_offsets | head -1)
echo "one event per batch, 1 partition: $(requests "$out/wrk-worst.txt") answered, $kept kept, first offset $dropped"
echo "  warning: $(grep -o 'The embedded broker dropped the oldest [0-9]* events' "$out/worst.log" | head -1 || echo none)"
echo "  so the default 80 partitions keep at least $(( kept * 80 )) such events"
stop_api

start_api capacity
wrk -t2 -c64 -d"${seconds}s" "${headers[@]}" "$url" >"$out/wrk-capacity.txt"
answered=$(requests "$out/wrk-capacity.txt")
sleep 3
events=$(count)
echo "80 partitions under wrk -c64: $answered answered (plus up to 64 in flight at the deadline), $events events on the topic"
echo "  first offsets: $(first_offsets | sort -u | tr '\n' ' ')(all 0: nothing dropped)"
echo "  warning: $(grep -o 'The embedded broker dropped the oldest [0-9]* events' "$out/capacity.log" | head -1 || echo none)"
echo "  API resident memory: $(ps -o rss= -p $api_pid | awk '{printf "%d MiB", $1/1024}')"
stop_api
[ "$answered" -ge 1000000 ] || echo "NOTE: fewer than 1,000,000 requests; run longer (bench/retention.sh SECONDS)"
rm -rf "$out"
