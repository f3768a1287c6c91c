using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using PolicyWebhook.Host.Hosting;

namespace PolicyWebhook.Host.Tls;

/// <summary>
/// Serves the certificate in the PEM files and picks up a rotation without a restart: every new TLS connection
/// gets the newest good certificate, connections already open keep theirs, and a half-written pair (a new
/// certificate with the old key) is ignored until both files agree.
/// </summary>
public sealed partial class CertificateReloader : BackgroundService
{
    private readonly TlsOptions _options;
    private readonly ILogger<CertificateReloader> _logger;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private volatile Loaded? _current;

    public CertificateReloader(IOptions<TlsOptions> options, ILogger<CertificateReloader> logger, TimeProvider time, BackgroundLoops? loops = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = logger;
        _time = time;
        _loops = loops;
    }

    private readonly BackgroundLoops? _loops;
    // Registered once the reloader runs: a host that serves no TLS (tests, a TLS-terminating proxy) has no such loop.
    private LoopHealth? _health;

    /// <summary>The certificate in force; loads it on first use and throws, saying which file, when it cannot.</summary>
    public X509Certificate2 Certificate => (_current ?? LoadFirst()).Certificate;

    /// <summary>The certificate with its chain, as TLS handshakes use it.</summary>
    public SslStreamCertificateContext Context => (_current ?? LoadFirst()).Context;

    /// <summary>When the certificate in force expires; null until one is loaded (this never loads it).</summary>
    public DateTimeOffset? NotAfter => _current is { } current ? new DateTimeOffset(current.Certificate.NotAfter) : null;

    /// <summary>Reads the files again; true when they held a new, valid certificate that is now in force.</summary>
    public bool Reload()
    {
        lock (_lock)
        {
            byte[] certificateBytes, keyBytes;
            try
            {
                certificateBytes = File.ReadAllBytes(_options.CertificateFile);
                keyBytes = File.ReadAllBytes(_options.KeyFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Failed(e);
                return false;
            }

            if (_current is { } current && current.CertificateBytes.AsSpan().SequenceEqual(certificateBytes) && current.KeyBytes.AsSpan().SequenceEqual(keyBytes))
            {
                _health?.Succeeded();
                return false;
            }

            try
            {
                _current = Load(certificateBytes, keyBytes);
                LogLoaded(_logger, _current.Certificate.Subject, _current.Certificate.NotAfter, _current.Certificate.Thumbprint);
                _health?.Succeeded();
                return true;
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                // Most often the two files are caught mid-rotation; the next check sees both new ones.
                Failed(e);
                return false;
            }
        }
    }

    /// <summary>Logged once per run of failures when there is a loop to report to (a mount gone for minutes logs a line, not one a tick).</summary>
    private void Failed(Exception e)
    {
        if (_health is { } health)
        {
            health.Failed(e, _options.ReloadInterval);
        }
        else
        {
            LogReloadFailed(_logger, e.GetType().Name, _options.CertificateFile);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _health = _loops?.Register("reload TLS certificate");
        _health?.Started();
        return Periodic.RunAsync(
            _options.ReloadInterval,
            _time,
            () =>
            {
                if (_current is not null)
                {
                    Reload();
                }
            },
            e => LogReloadFailed(_logger, e.GetType().Name, _options.CertificateFile),
            stoppingToken);
    }

    private Loaded LoadFirst()
    {
        lock (_lock)
        {
            if (_current is { } loaded)
            {
                return loaded;
            }

            foreach (var file in (ReadOnlySpan<string>)[_options.CertificateFile, _options.KeyFile])
            {
                if (!File.Exists(file))
                {
                    throw new InvalidOperationException(
                        $"The TLS file {file} does not exist. Mount the serving certificate's Secret (tls.crt and tls.key) there, set Tls:CertificateFile and Tls:KeyFile, or run with --dev.");
                }
            }

            try
            {
                _current = Load(File.ReadAllBytes(_options.CertificateFile), File.ReadAllBytes(_options.KeyFile));
            }
            catch (Exception e) when (e is CryptographicException or ArgumentException)
            {
                throw new InvalidOperationException($"{_options.CertificateFile} and {_options.KeyFile} are not a PEM certificate and its private key ({e.Message}).", e);
            }

            LogLoaded(_logger, _current.Certificate.Subject, _current.Certificate.NotAfter, _current.Certificate.Thumbprint);
            return _current;
        }
    }

    private static Loaded Load(byte[] certificateBytes, byte[] keyBytes)
    {
        var certificatePem = System.Text.Encoding.ASCII.GetString(certificateBytes);
        var keyPem = System.Text.Encoding.ASCII.GetString(keyBytes);
        var certificate = X509Certificate2.CreateFromPem(certificatePem, keyPem);
        // The rest of tls.crt is the chain (intermediates), sent with the certificate in every handshake.
        var chain = new X509Certificate2Collection();
        chain.ImportFromPem(certificatePem);
        var intermediates = new X509Certificate2Collection();
        foreach (var c in chain)
        {
            if (c.Thumbprint != certificate.Thumbprint)
            {
                intermediates.Add(c);
            }
        }

        var context = SslStreamCertificateContext.Create(certificate, intermediates, offline: true);
        return new Loaded(certificate, context, certificateBytes, keyBytes);
    }

    private sealed record Loaded(X509Certificate2 Certificate, SslStreamCertificateContext Context, byte[] CertificateBytes, byte[] KeyBytes);

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Serving TLS certificate {Subject}, valid until {NotAfter:O}, thumbprint {Thumbprint}")]
    private static partial void LogLoaded(ILogger logger, string subject, DateTime notAfter, string thumbprint);

    [LoggerMessage(EventId = 201, Level = LogLevel.Warning, Message = "Could not load a new TLS certificate from {File} ({Error}); still serving the current one")]
    private static partial void LogReloadFailed(ILogger logger, string error, string file);
}
