# One image for the webhook server and the policywebhook command line (the chart's hooks, scan and test run the
# latter). Plain Dockerfile syntax, no BuildKit-only feature, so `docker build` and `podman build` both build it.
#   docker build -t policy-webhook .
#   docker build --build-arg VERSION=0.2.0 --build-arg REVISION="$(git rev-parse HEAD)" -t policy-webhook:0.2.0 .
#   docker run --rm -p 8443:8443 -p 8080:8080 policy-webhook --dev --Server:Address=0.0.0.0
#       (then https://127.0.0.1:8443, which the --dev certificate names; docker cp the CA it prints out of the container)
#   docker run --rm --entrypoint policywebhook policy-webhook checks list

# The version of the image, the server and the command line; the default is Directory.Build.props's <Version>.
ARG VERSION=0.1.0

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG VERSION
WORKDIR /src
# Restore first, from the project files alone, so a code change does not re-download packages.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/PolicyWebhook.Engine/PolicyWebhook.Engine.csproj src/PolicyWebhook.Engine/
COPY src/PolicyWebhook.Policies/PolicyWebhook.Policies.csproj src/PolicyWebhook.Policies/
COPY src/PolicyWebhook.Cluster/PolicyWebhook.Cluster.csproj src/PolicyWebhook.Cluster/
COPY src/PolicyWebhook.Provenance/PolicyWebhook.Provenance.csproj src/PolicyWebhook.Provenance/
COPY src/PolicyWebhook.Host/PolicyWebhook.Host.csproj src/PolicyWebhook.Host/
COPY src/PolicyWebhook.Cli/PolicyWebhook.Cli.csproj src/PolicyWebhook.Cli/
# For the build's own platform and ReadyToRun, as the publish steps below compile.
# --disable-build-servers: no MSBuild node or compiler server stays behind with its socket in /tmp, which the image
# builder would otherwise find (and skip) when it archives the stage.
RUN dotnet restore src/PolicyWebhook.Host/PolicyWebhook.Host.csproj --use-current-runtime -p:PublishReadyToRun=true --disable-build-servers \
 && dotnet restore src/PolicyWebhook.Cli/PolicyWebhook.Cli.csproj --use-current-runtime -p:PublishReadyToRun=true --disable-build-servers
COPY src/ src/
# Both apps into one folder, so they share their libraries (KubernetesClient alone is 12 MB); each keeps its own
# deps.json and runtimeconfig.json, and a chart test checks that the assemblies they share are the same versions.
# Only what runs is kept: no XML docs, symbols, web.config or the server's apphost (it starts as `dotnet x.dll`).
# The invariant culture never loads satellite resource assemblies, so none is published.
# ReadyToRun (precompiled code for the build's own platform, still framework-dependent), for both apps so the
# assemblies they share are the same files: the server reached /readyz in a median 1.43 s instead of 1.88 s
# (docs/performance.md, "Start-up").
RUN dotnet publish src/PolicyWebhook.Host/PolicyWebhook.Host.csproj -c Release --no-restore -o /out/app --disable-build-servers \
      --use-current-runtime --self-contained false -p:PublishReadyToRun=true \
      -p:Version=$VERSION -p:UseAppHost=false -p:IsTransformWebConfigDisabled=true \
      -p:PublishDocumentationFiles=false -p:DebugType=none -p:SatelliteResourceLanguages=en \
 && dotnet publish src/PolicyWebhook.Cli/PolicyWebhook.Cli.csproj -c Release --no-restore -o /out/app --disable-build-servers \
      --use-current-runtime --self-contained false -p:PublishReadyToRun=true \
      -p:Version=$VERSION \
      -p:PublishDocumentationFiles=false -p:DebugType=none -p:SatelliteResourceLanguages=en \
 && mkdir /out/bin \
 && ln -s /app/policywebhook /out/bin/policywebhook

# Chiseled: no shell, no package manager, nothing but the .NET and ASP.NET Core runtimes. Nothing below needs a
# shell (no RUN), and neither does the chart: its commands are `policywebhook ...` and its preStop is a sleep action.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
ARG VERSION
ARG REVISION
LABEL org.opencontainers.image.title="policy-webhook" \
      org.opencontainers.image.description="Least-privilege admission webhook for Kubernetes" \
      org.opencontainers.image.version="$VERSION" \
      org.opencontainers.image.revision="$REVISION" \
      org.opencontainers.image.source="https://github.com/policywebhook/policy-webhook" \
      org.opencontainers.image.licenses="Apache-2.0"
WORKDIR /app
COPY --from=build /out/app /app
# The command line's own apphost, linked onto the PATH: a directory copy keeps the symbolic link, no shell needed.
COPY --from=build /out/bin/ /usr/local/bin/
# Nothing is written to the root filesystem at run time: no diagnostics IPC socket in /tmp, no first-run files,
# and logs go to stdout. The chart mounts the root filesystem read-only. Workstation GC keeps a small pod small.
# The server binds its own ports (Server:Port, Server:ManagementPort): the base image's ASPNETCORE_HTTP_PORTS=8080
# would only make Kestrel warn that it overrides it.
ENV DOTNET_EnableDiagnostics=0 \
    DOTNET_NOLOGO=1 \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_gcServer=0 \
    ASPNETCORE_ENVIRONMENT=Production \
    ASPNETCORE_HTTP_PORTS=""
# The image's "app" user, by number, so runAsNonRoot can verify it without a name lookup.
USER 1654:1654
EXPOSE 8443 8080
ENTRYPOINT ["dotnet", "/app/PolicyWebhook.Host.dll"]
