#!/usr/bin/env bash
# Load benchmark of the webhook over HTTPS and HTTP/2 with h2load (Debian: apt-get install nghttp2-client).
# Posts a real kube-apiserver pod AdmissionReview to /validate and, in the same run, to /ceiling: the same
# server answering a fixed allowed review without evaluating anything, the ceiling of this stack here.
# Usage: benchmarks/load/run.sh [seconds-per-measurement (default 20)] [warm-up seconds (default 45)]
# SERVER_ARGS adds settings to the server's command line, such as --Logging:LogLevel:Default=Warning.
set -euo pipefail

cd "$(dirname "$0")/../.."
seconds="${1:-20}"
warmup="${2:-45}"
# A real kube-apiserver pod AdmissionReview (tests/PolicyWebhook.Engine.Tests/Samples/pod-create.json), compact as the
# API server sends it: 6.5 KB, managedFields included.
body="benchmarks/load/pod-create.json"
out="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT

command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 2; }
dotnet build -c Release benchmarks/PolicyWebhook.LoadHost -v quiet -nologo >/dev/null

# --dev: self-signed certificate, https://127.0.0.1:8443, the built-in default policy. Logging as shipped:
# one line per decision, here to a file rather than a terminal.
dotnet benchmarks/PolicyWebhook.LoadHost/bin/Release/net10.0/PolicyWebhook.LoadHost.dll --dev ${SERVER_ARGS:-} >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -sf http://127.0.0.1:8080/readyz >/dev/null && break; sleep 0.2; done

load() { # endpoint clients seconds logfile
  h2load -c "$2" -m 1 -t 1 -D "$3" -d "$body" -H 'content-type: application/json' \
    ${4:+--log-file="$4"} "https://127.0.0.1:8443/$1?timeout=5s"
}

echo "warming up for ${warmup}s (both endpoints, 16 clients)..." >&2
load validate 16 "$((warmup / 2))" "" >/dev/null
load ceiling 16 "$((warmup - warmup / 2))" "" >/dev/null

printf '| endpoint | clients | req/s | p50 (ms) | p99 (ms) | failed |\n| --- | ---: | ---: | ---: | ---: | ---: |\n'
for clients in 1 16 64; do
  for endpoint in ceiling validate; do
    log="$out/$endpoint-$clients.log"
    summary="$(load "$endpoint" "$clients" "$seconds" "$log")"
    rps="$(grep -oE 'finished in [^,]+, [0-9.]+ req/s' <<<"$summary" | grep -oE '[0-9.]+ req/s' | cut -d' ' -f1)"
    failed="$(grep -oE '[0-9]+ failed' <<<"$summary" | head -1 | cut -d' ' -f1)"
    # The log holds one line per request: start time, status, duration in microseconds.
    read -r p50 p99 < <(cut -f3 "$log" | sort -n | awk '{ d[NR] = $1 } END { printf "%.2f %.2f\n", d[int(NR * 0.50)] / 1000, d[int(NR * 0.99)] / 1000 }')
    printf '| /%s | %d | %.0f | %s | %s | %s |\n' "$endpoint" "$clients" "$rps" "$p50" "$p99" "$failed"
  done
done

pid="$server"
echo
grep -E 'VmHWM|VmRSS' "/proc/$pid/status" | sed 's/^/server memory: /'
