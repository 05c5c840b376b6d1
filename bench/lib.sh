# Shared by the benchmark scripts: source it.

# summary WRK-OUTPUT-FILE -> "requests rps p99 non2xx"
summary() {
  awk '/requests in/ {r=$1} /Requests\/sec/ {s=$2} /^ +99%/ {p=$2} /Non-2xx/ {n=$5}
       END {printf "%s %s %s %d\n", r, s, p, n}' "$1"
}

# mean FILE [DECIMALS]: the mean of the numbers in it, one per line
mean() { awk -v d="${2:-0}" '{s+=$1} END {printf "%.*f", d, s/NR}' "$1"; }

# latency_ms WRK-OUTPUT-FILE: wrk's mean latency in milliseconds
latency_ms() {
  awk '$1 == "Latency" && !done {v=$2; u=v; sub(/[0-9.]+/, "", u); sub(/[a-z]+$/, "", v);
       if (u == "us") v /= 1000; else if (u == "s") v *= 1000; printf "%.3f\n", v; done=1}' "$1"
}

# measured NAME BROKER OUT: prints the run's figures from OUT/wrk-NAME.txt and OUT/warmup-NAME.txt,
# checks that every 2xx has exactly one event on the broker's topic "events" (returns 1 if not), and
# appends the rate to OUT/rps-<NAME without its "-round" suffix>.
measured() {
  local name=$1 broker=$2 out=$3
  local req rps p99 bad warm_req warm_bad
  read -r req rps p99 bad < <(summary "$out/wrk-$name.txt")
  read -r warm_req _ _ warm_bad < <(summary "$out/warmup-$name.txt")
  local ok_total=$(( req - bad + warm_req - warm_bad ))
  local events
  events=$(kcat -b "$broker" -t events -C -o beginning -e -q | wc -l)
  printf '%-29s %s req/s, p99 %s, non-2xx %s; 2xx %s, events on the topic %s\n' "$name:" "$rps" "$p99" "$bad" "$ok_total" "$events"
  # wrk stops counting at its deadline while up to 64 requests are still in flight: their events exist,
  # their answers are not counted. Fewer events than 2xx would be a lost acknowledged event.
  if [ "$events" -lt "$ok_total" ] || [ "$events" -gt $(( ok_total + 128 )) ]; then
    echo "MISMATCH: every 2xx must have exactly one event"; return 1
  fi
  echo "$rps" >>"$out/rps-${name%-*}"
  latency_ms "$out/wrk-$name.txt" >>"$out/latency-${name%-*}"
}
