using System.Formats.Tar;
using System.IO.Compression;
using PolicyWebhook.Engine.Images;

namespace PolicyWebhook.Provenance.Tests.Verification;

/// <summary>The shared cosign/notation fixtures of tests/Shared/provenance: the registry storage, the public keys, index.tsv.</summary>
internal static class ProvenanceFixtures
{
    /// <summary>The host the fixtures are served under here: not the 127.0.0.1:35000 their payloads name, which must not matter.</summary>
    public const string Host = "127.0.0.1:35001";

    /// <summary>shop/app:1.0: legacy signature by A, legacy clean scan by S.</summary>
    public const string App10 = "sha256:42db45ae16fd87c2098919d2c45ecf87ef3ce21a7075e8a6a2c2c7ff88338c7f";

    /// <summary>shop/app:1.2: bundle signature by A and bundle clean scan by S, as referrers.</summary>
    public const string App12 = "sha256:5dc463b9a89c9e1549f079ccdf5114d87fab46aa38f9380677324b008107c845";

    /// <summary>shop/app:2.0: nothing.</summary>
    public const string App20 = "sha256:0421e0e84e255e7cd0af86e30b975ac74b54c0514798fb932770cdfb1dd1dc0f";

    /// <summary>The day after the fixtures were made: their notation certificate is valid, their scans a day old.</summary>
    public static TimeProvider Clock { get; } = new FixedTime(DateTimeOffset.Parse("2026-11-28T00:00:00Z", null));

    private static readonly Lazy<IReadOnlyDictionary<string, byte[]>> LazyStorage = new(ReadStorage);

    public static string Folder { get; } = FindFolder();

    /// <summary>Every file of the registry storage by its path below <c>docker/registry/v2/</c>, read once into memory.</summary>
    public static IReadOnlyDictionary<string, byte[]> Storage => LazyStorage.Value;

    /// <summary>A fixture key by its folder name (A, B, S, ec-p256) as a trusted key of that name.</summary>
    public static TrustedKeySource Key(string name) =>
        new(name, File.ReadAllText(Directory.EnumerateFiles(Path.Combine(Folder, "keys", name)).Single()));

    /// <summary>The rows of index.tsv, as column name to value.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Index()
    {
        var lines = File.ReadAllLines(Path.Combine(Folder, "index.tsv")).Where(l => l.Length > 0).ToList();
        var header = lines[0].Split('\t');
        return [.. lines.Skip(1).Select(l => (IReadOnlyDictionary<string, string>)header.Zip(l.Split('\t')).ToDictionary(p => p.First, p => p.Second))];
    }

    /// <summary>An entry covering every image with these signature keys and no attestation requirement.</summary>
    public static ImageVerificationEntry SignatureEntry(params TrustedKeySource[] keys) =>
        new("fixtures", ["**"], keys, 1, null, null, RegistryErrorAction.Deny);

    /// <summary>An entry requiring only a vulnerability attestation by these keys, nothing above HIGH.</summary>
    public static ImageVerificationEntry ScanEntry(params TrustedKeySource[] keys) =>
        new("fixtures", ["**"], [], 0, new VulnerabilityRequirement(keys, VulnerabilitySeverity.High, null), null, RegistryErrorAction.Deny);

    /// <summary>A clock that always says the same time.</summary>
    public sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static Dictionary<string, byte[]> ReadStorage()
    {
        const string Prefix = "registry-storage/docker/registry/v2/";
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        using var gzip = new GZipStream(File.OpenRead(Path.Combine(Folder, "registry-storage.tar.gz")), CompressionMode.Decompress);
        using var tar = new TarReader(gzip);
        while (tar.GetNextEntry() is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            if (entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile && entry.DataStream is { } data && name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                using var copy = new MemoryStream();
                data.CopyTo(copy);
                files[name[Prefix.Length..]] = copy.ToArray();
            }
        }

        return files;
    }

    private static string FindFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "PolicyWebhook.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null
            ? throw new InvalidOperationException("PolicyWebhook.sln not found above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "tests", "Shared", "provenance");
    }
}
