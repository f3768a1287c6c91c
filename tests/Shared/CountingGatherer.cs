using PolicyWebhook.Engine.Images;
using PolicyWebhook.Provenance;
using PolicyWebhook.Provenance.Caching;
using PolicyWebhook.Provenance.Registry;

namespace PolicyWebhook.Tests.Shared;

/// <summary>
/// A gatherer over a fresh verifier and registry client, made as <see cref="Verification.CreateVerifier"/> makes them for
/// one plain-HTTP registry, whose handler counts the requests the registry is sent.
/// </summary>
public sealed class CountingGatherer : IDisposable
{
    private readonly CountingHandler _counter = new(RegistryClient.CreateHandler());
    private readonly HttpClient _http;

    public CountingGatherer(string insecureRegistry, VerificationCacheOptions? cache = null, IReadOnlyList<Provenance.Sigstore.TrustedRoot>? roots = null)
    {
        _http = new HttpClient(_counter, disposeHandler: true);
        var client = new RegistryClient(_http, new RegistryOptions { InsecureRegistries = [insecureRegistry] });
        Gatherer = new ImageFactsGatherer(new ImageVerifier(client, new InlineKeyMaterial(), roots: roots), cache);
    }

    /// <summary>An entry trusting the keyless signer a <see cref="TestSigstore"/> signs as by default.</summary>
    public static ImageVerificationEntry Keyless { get; } = new("keyless", ["**"], [], 1, null, null, RegistryErrorAction.Deny)
    {
        Keyless = [new KeylessIdentity("https://token.actions.githubusercontent.com", "https://github.com/example/app/.github/workflows/release.yml@refs/heads/main", null, new Dictionary<string, string>())],
    };

    public ImageFactsGatherer Gatherer { get; }

    /// <summary>HTTP requests sent to the registry so far.</summary>
    public int Requests => _counter.Requests;

    /// <summary>Each request's method and path, in the order they were sent.</summary>
    public IReadOnlyCollection<string> Sent => _counter.Sent;

    /// <summary>
    /// The entry that reads every artifact of shop/app:1.0 (legacy .sig and .att tags) and shop/app:1.2 (bundles as
    /// referrers): a signature by fixture key A and a vulnerability attestation by S with nothing above HIGH.
    /// </summary>
    public static ImageVerificationEntry SignedAndScanned { get; } = new(
        "fixtures",
        ["**"],
        [FixtureKey("A")],
        1,
        new VulnerabilityRequirement([FixtureKey("S")], VulnerabilitySeverity.High, null),
        null,
        RegistryErrorAction.Deny);

    public void Dispose() => _http.Dispose();

    private static TrustedKeySource FixtureKey(string name) =>
        new(name, File.ReadAllText(Path.Combine(RegistryServer.FixtureFolder, "keys", name, "cosign.pub")));
}
