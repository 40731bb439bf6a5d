#!/usr/bin/env bash
# Measures `imbot serve` on its built-in defaults: the time from exec to the
# first answered /api/chat request (an FAQ answer, so no model is needed),
# and the resident memory after it has been idle for IDLE seconds.
# Usage: scripts/startup-rss.sh [RUNS] [IDLE]   (run from the repository root)
set -euo pipefail
runs=${1:-5}
idle=${2:-10}
port=18080
bin=bin/imbot
[ -x "$bin" ] || make build >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/config.toml" <<CFG
[server]
listen = "127.0.0.1:$port"
log_level = "warn"
[store]
path = "$work/imbot.db"
CFG
ask='{"text":"How do I connect Telegram?"}'
for i in $(seq "$runs"); do
  start=$(date +%s%N)
  "$bin" serve -config "$work/config.toml" 2>"$work/log" &
  pid=$!
  until curl -sf -o /dev/null -X POST --data "$ask" "http://127.0.0.1:$port/api/chat"; do :; done
  ready_ms=$(( ($(date +%s%N) - start) / 1000000 ))
  sleep "$idle"
  rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" || true
  echo "run $i: first answer after ${ready_ms} ms; RSS after ${idle}s idle: $((rss_kib / 1024)).$(( (rss_kib % 1024) * 10 / 1024 )) MiB"
done
