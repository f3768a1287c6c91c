using PolicyWebhook.Provenance.Caching;

namespace PolicyWebhook.Host.Images;

/// <summary>Where the server finds trusted keys and registry credentials, which registries speak plain HTTP, and the cache.</summary>
public sealed class ImageVerificationSettings
{
    public const string Section = "ImageVerification";

    /// <summary>The folder the chart mounts the named key Secrets and ConfigMaps under (<c>secrets/NAME/KEY</c>, <c>configmaps/NAME/KEY</c>).</summary>
    public string? KeysDirectory { get; set; }

    /// <summary>
    /// How long a mounted key file's fingerprint is trusted before the file is read again. Verdicts are cached by the
    /// fingerprints of their entry's keys, so a key rotated in its Secret or ConfigMap counts within this time of the
    /// kubelet updating the file, and no verdict made with the old key is reused.
    /// </summary>
    public TimeSpan KeyRecheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The folder the chart mounts the named docker-config Secrets under (<c>NAME/.dockerconfigjson</c>). They are read
    /// once, at start: changed registry credentials take effect after the webhook restarts (<c>kubectl rollout restart</c>).
    /// </summary>
    public string? RegistryAuthDirectory { get; set; }

    /// <summary>
    /// The folder the chart mounts a ConfigMap of Sigstore trusted roots under (<c>*.json</c>): keyless signatures are
    /// verified against them and, unless <see cref="TrustEmbeddedRoot"/> is false, the embedded public-good root. Read
    /// once, at start; a file that is not a trusted root stops the server from starting.
    /// </summary>
    public string? TrustedRootsDirectory { get; set; }

    /// <summary>Whether the Sigstore public-good root embedded in the server is trusted beside <see cref="TrustedRootsDirectory"/>.</summary>
    public bool TrustEmbeddedRoot { get; set; } = true;

    /// <summary>Registries (<c>host:port</c>) reached over plain HTTP; every other one over HTTPS.</summary>
    public List<string> InsecureRegistries { get; set; } = [];

    /// <summary>The time kept back from the API server's <c>?timeout=</c> to answer after the registry has had its turn.</summary>
    public TimeSpan DeadlineMargin { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The API server's own default, for a request that carries no <c>?timeout=</c>.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public VerificationCacheOptions Cache { get; set; } = new();

    /// <summary>
    /// How long a request may wait for registries: its <c>?timeout=</c> (a Go duration such as <c>5s</c>) less the
    /// margin, and never under a quarter of a second, so there is time to try at all.
    /// </summary>
    public TimeSpan BudgetFor(string? timeout)
    {
        var total = GoDuration.TryParse(timeout, out var parsed) && parsed > TimeSpan.Zero ? parsed : DefaultTimeout;
        var budget = total - DeadlineMargin;
        return budget < TimeSpan.FromMilliseconds(250) ? TimeSpan.FromMilliseconds(250) : budget;
    }
}

/// <summary>Reads the durations Go's <c>time.Duration</c> prints and the API server sends: <c>5s</c>, <c>1m30s</c>, <c>500ms</c>.</summary>
public static class GoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text) || text.Length > 32)
        {
            return false;
        }

        var span = text.AsSpan();
        double total = 0;
        while (!span.IsEmpty)
        {
            var digits = 0;
            while (digits < span.Length && (char.IsAsciiDigit(span[digits]) || span[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || !double.TryParse(span[..digits], System.Globalization.NumberStyles.AllowDecimalPoint, System.Globalization.CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            span = span[digits..];
            var unit = 0;
            while (unit < span.Length && char.IsAsciiLetter(span[unit]))
            {
                unit++;
            }

            double? seconds = span[..unit] switch
            {
                "h" => 3600,
                "m" => 60,
                "s" => 1,
                "ms" => 0.001,
                "us" or "µs" => 0.000001,
                "ns" => 0.000000001,
                _ => null,
            };
            if (seconds is null)
            {
                return false;
            }

            total += number * seconds.Value;
            span = span[unit..];
        }

        value = TimeSpan.FromSeconds(total);
        return true;
    }
}
