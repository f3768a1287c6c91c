using Microsoft.Extensions.Options;
using PolicyWebhook.Provenance;

namespace PolicyWebhook.Host.Images;

/// <summary>Registers image verification: settings, trusted keys from the mounted folder, the gatherer and its cache, the step.</summary>
public static class ImageVerificationSetup
{
    public static IServiceCollection AddImageVerification(this IServiceCollection services)
    {
        services.AddOptions<ImageVerificationSettings>().BindConfiguration(ImageVerificationSettings.Section).ValidateOnStart();
        // Read once, at start: a trusted root that does not parse stops the server rather than leave keyless images unverifiable.
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<ImageVerificationSettings>>().Value;
            return new TrustedRootSet(Provenance.Sigstore.TrustedRoots.Load(settings.TrustedRootsDirectory, settings.TrustEmbeddedRoot));
        });
        services.AddSingleton(sp => new ProvenanceMetrics(
            sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), sp.GetRequiredService<TrustedRootSet>().Roots, sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IKeyMaterial>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<ImageVerificationSettings>>().Value;
            return new DirectoryKeyMaterial(settings.KeysDirectory, settings.KeyRecheckInterval, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IImageVerifier>(sp =>
        {
            var settings = sp.GetRequiredService<IOptions<ImageVerificationSettings>>().Value;
            return Verification.CreateVerifier(
                settings.InsecureRegistries,
                RegistryCredentials.Merge(settings.RegistryAuthDirectory),
                sp.GetRequiredService<IKeyMaterial>(),
                sp.GetRequiredService<TrustedRootSet>().Roots,
                sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new ImageFactsGatherer(
            sp.GetRequiredService<IImageVerifier>(),
            sp.GetRequiredService<IOptions<ImageVerificationSettings>>().Value.Cache,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ProvenanceMetrics>(),
            sp.GetRequiredService<IKeyMaterial>()));
        services.AddSingleton<ImageVerificationStep>();
        return services;
    }
}

/// <summary>The Sigstore trusted roots the server verifies keyless signatures against, read at start.</summary>
public sealed record TrustedRootSet(IReadOnlyList<Provenance.Sigstore.TrustedRoot> Roots);
