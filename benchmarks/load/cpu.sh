#!/usr/bin/env bash
# CPU per admission, as the API server calls a webhook: HTTP/2 over TLS on ONE connection with many streams, the
# compact real pod review (benchmarks/load/pod-create.json), ?timeout=5s. The server process's CPU time (utime +
# stime from /proc/PID/stat, before and after) divided by the requests answered is the main figure: unlike
# throughput it holds up when other work shares the cores. Every server runs with the image's runtime settings
# (Dockerfile ENV) and its logging (appsettings.json: JSON console, one line per decision), to a file.
#
# Usage: benchmarks/load/cpu.sh [seconds per measurement (20)] [warm-up seconds per server (45)] [rounds (2)]
# Servers compared in the same run, alternating (ABBA) in every round: by default
#   webhook  the webhook as it ships (benchmarks/PolicyWebhook.LoadHost --dev, built-in default policy)
#   trivial  an ASP.NET Core webhook that allows everything, uid echoed (LoadHost --trivial)
# VARIANTS replaces that list: space-separated name=mode[:ENV=value,ENV=value] where mode is webhook or trivial,
# and a mode of webhook@DIR runs the LoadHost build in DIR (for comparing two builds), for example
#   VARIANTS="webhook=webhook spin0=webhook:DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0" benchmarks/load/cpu.sh
# LOADS replaces the loads: space-separated streams (one connection, N concurrent streams) or rateN (N requests/s,
# up to 16 streams). Default "1 16 64 rate200".
set -euo pipefail

cd "$(dirname "$0")/../.."
seconds="${1:-20}"
warmup="${2:-45}"
rounds="${3:-2}"
body="benchmarks/load/pod-create.json"
read -r -a variants <<<"${VARIANTS:-webhook=webhook trivial=trivial}"
read -r -a loads <<<"${LOADS:-1 16 64 rate200}"
out="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$out"; }
trap cleanup EXIT

command -v h2load >/dev/null || { echo "h2load is missing: apt-get install nghttp2-client" >&2; exit 2; }
dotnet build -c Release benchmarks/PolicyWebhook.LoadHost -v quiet -nologo >/dev/null
built="benchmarks/PolicyWebhook.LoadHost/bin/Release/net10.0"
tick="$(getconf CLK_TCK)"

# The image's runtime settings (Dockerfile ENV), for every server alike.
image_env=(DOTNET_EnableDiagnostics=0 DOTNET_gcServer=0 ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_HTTP_PORTS=)

declare -A port pid
i=0
for v in "${variants[@]}"; do
  name="${v%%=*}"; spec="${v#*=}"; mode="${spec%%:*}"; extra=""
  [[ "$spec" == *:* ]] && extra="${spec#*:}"
  dir="$built"; [[ "$mode" == *@* ]] && { dir="${mode#*@}"; mode="${mode%%@*}"; }
  p=$((8443 + 10 * i)); m=$((p + 1)); i=$((i + 1))
  if [[ "$mode" == trivial ]]; then args=(--trivial "--Server:Port=$p"); else args=(--dev "--Server:Port=$p" "--Server:ManagementPort=$m"); fi
  IFS=',' read -r -a envs <<<"$extra"
  env "${image_env[@]}" ${envs[@]+"${envs[@]}"} dotnet "$dir/PolicyWebhook.LoadHost.dll" "${args[@]}" >"$out/$name.log" 2>&1 &
  pid[$name]=$!; pids+=("$!"); port[$name]=$p
  for _ in $(seq 100); do curl -sf "http://localhost:$m/readyz" >/dev/null && break; sleep 0.2; done
  curl -sf "http://localhost:$m/readyz" >/dev/null || { echo "$name did not become ready:" >&2; cat "$out/$name.log" >&2; exit 1; }
  echo "$name: pid ${pid[$name]}, https://127.0.0.1:$p, ${extra:-no extra settings}" >&2
done

ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

load() { # name load seconds logfile
  local streams=$2 rate=()
  if [[ "$2" == rate* ]]; then rate=(--rps "${2#rate}"); streams=16; fi
  h2load -c 1 -m "$streams" -t 1 -D "$3" ${rate[@]+"${rate[@]}"} -d "$body" -H 'content-type: application/json' \
    ${4:+--log-file="$4"} "https://127.0.0.1:${port[$1]}/validate?timeout=5s"
}

echo "warming up ${warmup}s per server (16 streams)..." >&2
for v in "${variants[@]}"; do load "${v%%=*}" 16 "$warmup" "" >/dev/null; done

printf '| load | server | req/s | CPU per request (µs) | p50 (ms) | p99 (ms) | failed |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |\n'
for l in "${loads[@]}"; do
  declare -A cpu_sum=() n_sum=()
  for r in $(seq "$rounds"); do
    order=("${variants[@]}")
    (( r % 2 == 0 )) && order=($(printf '%s\n' "${variants[@]}" | tac))
    for v in "${order[@]}"; do
      name="${v%%=*}"; log="$out/$name-$l-$r.tsv"
      before="$(ticks "${pid[$name]}")"
      summary="$(load "$name" "$l" "$seconds" "$log")"
      after="$(ticks "${pid[$name]}")"
      done_="$(grep -oE '[0-9]+ succeeded' <<<"$summary" | head -1 | cut -d' ' -f1)"
      failed="$(grep -oE '[0-9]+ failed' <<<"$summary" | head -1 | cut -d' ' -f1)"
      rps="$(grep -oE '[0-9.]+ req/s' <<<"$summary" | head -1 | cut -d' ' -f1)"
      us="$(awk -v t=$((after - before)) -v n="$done_" -v k="$tick" 'BEGIN { printf "%.1f", t * 1e6 / k / n }')"
      read -r p50 p99 < <(cut -f3 "$log" | sort -n | awk '{ d[NR] = $1 } END { printf "%.2f %.2f\n", d[int(NR * 0.50)] / 1000, d[int(NR * 0.99)] / 1000 }')
      printf '| %s | %s (round %d) | %.0f | %s | %s | %s | %s |\n' "$l" "$name" "$r" "$rps" "$us" "$p50" "$p99" "$failed"
      cpu_sum[$name]=$(( ${cpu_sum[$name]:-0} + after - before )); n_sum[$name]=$(( ${n_sum[$name]:-0} + done_ ))
    done
  done
  for v in "${variants[@]}"; do
    name="${v%%=*}"
    awk -v l="$l" -v s="$name" -v t="${cpu_sum[$name]}" -v n="${n_sum[$name]}" -v k="$tick" \
      'BEGIN { printf "| %s | **%s, all rounds** | | **%.1f** | | | |\n", l, s, t * 1e6 / k / n }'
  done
  unset cpu_sum n_sum
done

echo
for v in "${variants[@]}"; do
  name="${v%%=*}"
  printf '%s memory: %s\n' "$name" "$(grep -E 'VmRSS|VmHWM' "/proc/${pid[$name]}/status" | tr -s ' \t' ' ' | paste -sd ' ')"
  printf '%s log lines: %s\n' "$name" "$(wc -l <"$out/$name.log")"
done
