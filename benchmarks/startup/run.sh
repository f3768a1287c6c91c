#!/usr/bin/env bash
# Start-up of the webhook server: milliseconds from exec to the first 200 from /readyz, with policies read from
# files (deploy/policies) and a certificate from files, as in a pod whose policies come from a ConfigMap. Each
# build is published as the Dockerfile publishes it (framework-dependent, `dotnet PolicyWebhook.Host.dll`) and
# started with the image's runtime settings; the builds and settings are started in turn, RUNS times each.
# Usage: benchmarks/startup/run.sh [runs (10)]
# VARIANTS: space-separated name=build[:ENV=value,ENV=value], build being plain (as the Dockerfile publishes) or
# r2r (the same, ReadyToRun). Default "plain=plain r2r=r2r".
set -euo pipefail

cd "$(dirname "$0")/../.."
runs="${1:-10}"
read -r -a variants <<<"${VARIANTS:-plain=plain r2r=r2r}"
out="$(mktemp -d)"
server=""
trap '[[ -n "$server" ]] && kill "$server" 2>/dev/null; rm -rf "$out"' EXIT

publish() { # folder extra-args...
  local folder="$1"; shift
  dotnet publish src/PolicyWebhook.Host/PolicyWebhook.Host.csproj -c Release -o "$out/$folder" -v quiet -nologo \
    -p:UseAppHost=false -p:IsTransformWebConfigDisabled=true -p:PublishDocumentationFiles=false -p:DebugType=none \
    -p:SatelliteResourceLanguages=en "$@" >/dev/null
}
needed=" ${variants[*]} "
[[ "$needed" == *=plain* ]] && publish plain
[[ "$needed" == *=r2r* ]] && publish r2r -r linux-x64 --self-contained false -p:PublishReadyToRun=true
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=policy-webhook \
  -keyout "$out/tls.key" -out "$out/tls.crt" 2>/dev/null

image_env=(DOTNET_EnableDiagnostics=0 DOTNET_gcServer=0 ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_HTTP_PORTS=)
declare -A times
for run in $(seq "$runs"); do
  for v in "${variants[@]}"; do
    name="${v%%=*}"; spec="${v#*=}"; build="${spec%%:*}"; extra=""
    [[ "$spec" == *:* ]] && extra="${spec#*:}"
    IFS=',' read -r -a envs <<<"$extra"
    start="$(date +%s%N)"
    env "${image_env[@]}" ${envs[@]+"${envs[@]}"} Policies__Directory="$PWD/deploy/policies" \
      Tls__CertificateFile="$out/tls.crt" Tls__KeyFile="$out/tls.key" Server__Address=127.0.0.1 Server__Port=9643 Server__ManagementPort=9644 \
      dotnet "$out/$build/PolicyWebhook.Host.dll" >"$out/$name.log" 2>&1 &
    server=$!
    until curl -sf -o /dev/null http://127.0.0.1:9644/readyz; do
      kill -0 "$server" 2>/dev/null || { echo "$name exited:" >&2; cat "$out/$name.log" >&2; exit 1; }
      sleep 0.005
    done
    times[$name]+="$(( ($(date +%s%N) - start) / 1000000 )) "
    kill "$server"; wait "$server" 2>/dev/null || true; server=""
  done
done

printf '| build and settings | runs | median (ms) | fastest (ms) | slowest (ms) |\n| --- | ---: | ---: | ---: | ---: |\n'
for v in "${variants[@]}"; do
  name="${v%%=*}"
  tr ' ' '\n' <<<"${times[$name]}" | grep . | sort -n | awk -v n="$v" '{ t[NR] = $1 } END { printf "| %s | %d | %d | %d | %d |\n", n, NR, t[int((NR + 1) / 2)], t[1], t[NR] }'
done
