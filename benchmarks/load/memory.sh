#!/usr/bin/env bash
# Resident memory of the webhook under steady load: the server as benchmarks/load/cpu.sh starts it (the image's
# runtime settings from the Dockerfile, its logging), driven with 16 streams on one HTTP/2 connection for the whole
# run, VmRSS sampled every 30 s. EXTRA_ENV adds settings (ENV=value,ENV=value) to compare.
# Usage: benchmarks/load/memory.sh [minutes (10)]
set -euo pipefail

cd "$(dirname "$0")/../.."
minutes="${1:-10}"
body="benchmarks/load/pod-create.json"
dotnet build -c Release benchmarks/PolicyWebhook.LoadHost -v quiet -nologo >/dev/null
out="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$out"' EXIT
# The image's ENV lines (Dockerfile), as the container gets them.
mapfile -t image_env < <(sed -n '/^ENV DOTNET_EnableDiagnostics/,/^[^ ]*$/p' Dockerfile | grep -oE '[A-Za-z_]+=[^ \\]*' | tr -d '"')
IFS=',' read -r -a extra <<<"${EXTRA_ENV:-}"
env "${image_env[@]}" ${extra[@]+"${extra[@]}"} dotnet benchmarks/PolicyWebhook.LoadHost/bin/Release/net10.0/PolicyWebhook.LoadHost.dll \
  --dev --Server:Port=8643 --Server:ManagementPort=8644 >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 100); do curl -sf http://localhost:8644/readyz >/dev/null && break; sleep 0.2; done
echo "settings: ${image_env[*]} ${extra[*]}"
h2load -c 1 -m 16 -t 1 -D "$((minutes * 60))" -d "$body" -H 'content-type: application/json' \
  "https://127.0.0.1:8643/validate?timeout=5s" >"$out/h2load.txt" &
load=$!
printf '| minute | VmRSS (MiB) | VmHWM (MiB) |\n| ---: | ---: | ---: |\n'
for s in $(seq 30 30 "$((minutes * 60))"); do
  sleep 30
  awk -v m="$(awk "BEGIN { printf \"%.1f\", $s / 60 }")" '/VmRSS/ { r = $2 } /VmHWM/ { h = $2 } END { printf "| %s | %.0f | %.0f |\n", m, r / 1024, h / 1024 }' "/proc/$server/status"
done
wait "$load"
grep -E 'finished in|succeeded' "$out/h2load.txt"
