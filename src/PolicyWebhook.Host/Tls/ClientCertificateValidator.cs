using System.Diagnostics.Metrics;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Tls;

/// <summary>
/// Mutual TLS on the admission port (<c>Tls:ClientCaFile</c>): only a client whose certificate chains to that CA
/// bundle, is valid now and is meant for client authentication (the API server, given its certificate by an
/// <c>AdmissionConfiguration</c>) completes the handshake; anyone else gets no answer at all, and is counted in
/// <c>policywebhook_tls_client_rejected_total</c>. The bundle is read again when it changes, like the serving
/// certificate; a bundle that cannot be read keeps the last good one.
/// </summary>
public sealed partial class ClientCertificateValidator : BackgroundService
{
    private static readonly Oid ClientAuthentication = new("1.3.6.1.5.5.7.3.2");

    private readonly TlsOptions _options;
    private readonly ILogger<ClientCertificateValidator> _logger;
    private readonly TimeProvider _time;
    private readonly BackgroundLoops? _loops;
    private readonly Counter<long>? _rejected;
    private readonly Lock _lock = new();
    private volatile Authorities? _current;
    private LoopHealth? _health;

    public ClientCertificateValidator(IOptions<TlsOptions> options, ILogger<ClientCertificateValidator> logger, TimeProvider time, BackgroundLoops? loops = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _time = time;
        _loops = loops;
        _rejected = meterFactory?.Create(Telemetry.AdmissionMetrics.MeterName)
            .CreateCounter<long>("policywebhook.tls.client_rejected", "{connection}", "TLS connections refused for their client certificate, by reason: none, untrusted, expired, not_for_clients.");
    }

    /// <summary>True when a client CA bundle is configured, so every admission connection must present a certificate.</summary>
    public bool Required => !string.IsNullOrEmpty(_options.ClientCaFile);

    /// <summary>Loads the bundle; throws, naming the file, when it cannot at start.</summary>
    public void LoadFirst()
    {
        if (Required && !Reload() && _current is null)
        {
            throw new InvalidOperationException($"Tls:ClientCaFile {_options.ClientCaFile} is not a PEM bundle of CA certificates (or cannot be read).");
        }
    }

    /// <summary>Reads the bundle again; true when a new one is now in force.</summary>
    public bool Reload()
    {
        lock (_lock)
        {
            try
            {
                var bytes = File.ReadAllBytes(_options.ClientCaFile!);
                if (_current is { } current && current.Bytes.AsSpan().SequenceEqual(bytes))
                {
                    _health?.Succeeded();
                    return false;
                }

                var bundle = new X509Certificate2Collection();
                bundle.ImportFromPem(System.Text.Encoding.ASCII.GetString(bytes));
                if (bundle.Count == 0)
                {
                    throw new CryptographicException("no certificate in the file");
                }

                _current = new Authorities(bytes, bundle);
                LogLoaded(_logger, bundle.Count, _options.ClientCaFile!);
                _health?.Succeeded();
                return true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
            {
                if (_health is { } health)
                {
                    health.Failed(e, _options.ReloadInterval);
                }
                else
                {
                    LogReloadFailed(_logger, _options.ClientCaFile!, e.GetType().Name);
                }

                return false;
            }
        }
    }

    /// <summary>The handshake's check of the client's certificate.</summary>
    public bool Validate(X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        // Intermediates the client sent with its certificate help build the chain; only the bundle is trusted.
        var intermediates = presented?.ChainElements.Select(e => e.Certificate).Skip(1).ToList() ?? [];
        var reason = Check(certificate as X509Certificate2 ?? (certificate is null ? null : new X509Certificate2(certificate)), intermediates);
        if (reason is null)
        {
            return true;
        }

        _rejected?.Add(1, new KeyValuePair<string, object?>("reason", reason));
        return false;
    }

    /// <summary>Why a certificate is refused (none, untrusted, expired, not_for_clients), or null when it is accepted.</summary>
    internal string? Check(X509Certificate2? certificate, IReadOnlyList<X509Certificate2>? intermediates = null)
    {
        if (certificate is null)
        {
            return "none";
        }

        var now = _time.GetUtcNow().UtcDateTime;
        if (now < certificate.NotBefore.ToUniversalTime() || now > certificate.NotAfter.ToUniversalTime())
        {
            return "expired";
        }

        if (certificate.Extensions.OfType<X509EnhancedKeyUsageExtension>().FirstOrDefault() is { } usage
            && !usage.EnhancedKeyUsages.Cast<Oid>().Any(o => o.Value == ClientAuthentication.Value))
        {
            return "not_for_clients";
        }

        if (_current is not { } authorities)
        {
            return "untrusted";
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities.Bundle);
        chain.ChainPolicy.ExtraStore.AddRange((intermediates ?? []).ToArray());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now;
        return chain.Build(certificate) ? null : "untrusted";
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!Required)
        {
            return Task.CompletedTask;
        }

        _health = _loops?.Register("reload client CA");
        _health?.Started();
        return Periodic.RunAsync(_options.ReloadInterval, _time, () => Reload(), e => LogReloadFailed(_logger, _options.ClientCaFile!, e.GetType().Name), stoppingToken);
    }

    private sealed record Authorities(byte[] Bytes, X509Certificate2Collection Bundle);

    [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Admission clients must present a certificate from one of the {Count} CAs in {File}")]
    private static partial void LogLoaded(ILogger logger, int count, string file);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "Could not read the client CA bundle {File} ({Error}); still using the last good one")]
    private static partial void LogReloadFailed(ILogger logger, string file, string error);
}
