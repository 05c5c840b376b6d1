#!/usr/bin/env bash
# The API with Kafka healthy, then during an outage (every event goes to the spool), then the count of
# events on the topic once Kafka is back. Needs wrk and kcat. Usage: bench/outage.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
out=$(mktemp -d)
broker=127.0.0.1:19093
url="http://127.0.0.1:5300/purchase_item?item=sword"
dotnet publish -c Release -o "$out/api" GameApi.Web >/dev/null
dotnet build -c Release bench/Broker >/dev/null

mkfifo "$out/control"
dotnet run -c Release --no-build --project bench/Broker -- $broker 8 <"$out/control" >"$out/broker.log" 2>&1 &
broker_pid=$!
exec 3>"$out/control"
sleep 2
# From its own folder: the content root, where appsettings.json sets the log levels.
(cd "$out/api" && exec env Kafka__BootstrapServers=$broker Spool__Path="$out/spool/events.db" ./GameApi.Web --urls http://127.0.0.1:5300) >"$out/api.log" 2>&1 &
api_pid=$!
for _ in $(seq 50); do curl -fs "$url" >/dev/null && break; sleep 0.2; done

source bench/lib.sh
wrk -t2 -c64 -d10s "$url" >"$out/warmup.txt"
wrk -t2 -c64 -d"${seconds}s" --latency "$url" >"$out/healthy.txt"
echo down >&3
sleep 1
wrk -t2 -c64 -d"${seconds}s" --latency "$url" >"$out/outage.txt"
backlog=$(curl -s http://127.0.0.1:5300/health/ready | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"]["spool"]["data"]["backlog"])')
echo up >&3
start=$(date +%s.%N)
while true; do
  left=$(curl -s http://127.0.0.1:5300/health/ready | python3 -c 'import json,sys; print(json.load(sys.stdin)["checks"]["spool"]["data"]["backlog"])')
  [ "$left" = "0" ] && break
  sleep 0.5
done
drained=$(echo "$(date +%s.%N) - $start" | bc)

read -r w_req _ _ w_bad < <(summary "$out/warmup.txt")
read -r h_req h_rps h_p99 h_bad < <(summary "$out/healthy.txt")
read -r o_req o_rps o_p99 o_bad < <(summary "$out/outage.txt")
ok=$(( w_req - w_bad + h_req - h_bad + o_req - o_bad ))
events=$(kcat -b $broker -t events -C -o beginning -e -q | wc -l)
distinct=$(kcat -b $broker -t events -C -o beginning -e -q | python3 -c 'import json,sys; print(len({json.loads(l)["event_id"] for l in sys.stdin}))')
kill $api_pid; wait $api_pid 2>/dev/null || true
exec 3>&-; wait $broker_pid 2>/dev/null || true

echo "healthy: $h_rps req/s, p99 $h_p99, non-2xx $h_bad"
echo "outage:  $o_rps req/s, p99 $o_p99, non-2xx $o_bad (spool backlog at the end: $backlog)"
echo "relayed the backlog in ${drained}s after the broker came back"
echo "2xx answered: $ok; records on the topic: $events; distinct event_ids: $distinct"
if [ "$distinct" -lt "$ok" ]; then echo "LOST EVENTS"; exit 1; fi
echo "every 2xx has its event (duplicates from resends: $(( events - distinct )))"
rm -rf "$out"
