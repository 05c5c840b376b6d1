#!/usr/bin/env bash
# Analytics benchmarks. Needs hyperfine and kcat (apt-get install hyperfine kcat).
#   bench/analytics.sh report [events]   `report` over a generated JSON Lines file (default 1,000,000
#                                        events), process start included, against DuckDB's own
#                                        read_json answering the same SQL, and a Python loop
#   bench/analytics.sh kafka [events]    reading a whole topic of the embedded broker, against kcat
#   bench/analytics.sh cache [events]    the topic cache: first run, unchanged topic, +1,000 events,
#                                        recreated topic (default 1,000,000 events)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-report}
events=${2:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Published the way a user would ship it: a native executable (docs/analytics.md).
dotnet publish GameApi.Analytics -c Release -r linux-x64 -o "$out/analytics" >/dev/null

case $what in
  report)
    python3 bench/generate-events.py "${events:-1000000}" >"$out/events.jsonl"
    ls -l "$out/events.jsonl"
    dotnet publish bench/DuckDbReadJson -c Release -r linux-x64 -o "$out/duckdb" >/dev/null
    hyperfine --warmup 2 --runs 10 \
      "$out/analytics/gameapi-analytics report --input $out/events.jsonl" \
      "$out/duckdb/DuckDbReadJson $out/events.jsonl" \
      "python3 bench/python_count.py $out/events.jsonl"
    ;;
  kafka)
    python3 bench/generate-events.py "${events:-200000}" >"$out/events.jsonl"
    dotnet run -c Release --project bench/KafkaRead -- "$out/events.jsonl" "$out/analytics/gameapi-analytics" 5
    ;;
  cache)
    python3 bench/generate-events.py "${events:-1000000}" >"$out/events.jsonl"
    dotnet run -c Release --project bench/TopicCache -- "$out/events.jsonl" "$out/analytics/gameapi-analytics" 3
    ;;
  *)
    echo "usage: bench/analytics.sh report|kafka|cache [events]" >&2
    exit 2
    ;;
esac
