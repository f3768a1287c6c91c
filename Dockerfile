# syntax=docker/dockerfile:1
# One image for the webhook server and the policywebhook command line (the chart's hooks run the latter).
#   docker build -t policy-webhook .
#   docker run --rm policy-webhook                         # the server (needs tls.crt/tls.key mounted, or --dev)
#   docker run --rm policy-webhook policywebhook checks list

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files alone, so a code change does not re-download packages.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/PolicyWebhook.Engine/PolicyWebhook.Engine.csproj src/PolicyWebhook.Engine/
COPY src/PolicyWebhook.Policies/PolicyWebhook.Policies.csproj src/PolicyWebhook.Policies/
COPY src/PolicyWebhook.Cluster/PolicyWebhook.Cluster.csproj src/PolicyWebhook.Cluster/
COPY src/PolicyWebhook.Host/PolicyWebhook.Host.csproj src/PolicyWebhook.Host/
COPY src/PolicyWebhook.Cli/PolicyWebhook.Cli.csproj src/PolicyWebhook.Cli/
RUN dotnet restore src/PolicyWebhook.Host/PolicyWebhook.Host.csproj \
 && dotnet restore src/PolicyWebhook.Cli/PolicyWebhook.Cli.csproj
COPY src/ src/
RUN dotnet publish src/PolicyWebhook.Host/PolicyWebhook.Host.csproj -c Release --no-restore -o /out/server \
 && dotnet publish src/PolicyWebhook.Cli/PolicyWebhook.Cli.csproj -c Release --no-restore -o /out/cli

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
LABEL org.opencontainers.image.title="policy-webhook" \
      org.opencontainers.image.description="Least-privilege admission webhook for Kubernetes"
WORKDIR /app
COPY --from=build /out/server /app/server
COPY --from=build /out/cli /app/cli
COPY --chmod=0755 <<'SCRIPT' /usr/local/bin/policywebhook
#!/bin/sh
exec dotnet /app/cli/policywebhook.dll "$@"
SCRIPT
# Nothing is written to the root filesystem at run time: no diagnostics IPC socket in /tmp, no first-run files,
# and logs go to stdout. The chart mounts the root filesystem read-only. Workstation GC keeps a small pod small.
ENV DOTNET_EnableDiagnostics=0 \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_gcServer=0 \
    ASPNETCORE_ENVIRONMENT=Production
# The image's "app" user, by number, so runAsNonRoot can verify it without a name lookup.
USER 1654:1654
EXPOSE 8443 8080
ENTRYPOINT ["dotnet", "/app/server/PolicyWebhook.Host.dll"]
