using Microsoft.Extensions.Options;
using PolicyWebhook.Provenance;

namespace PolicyWebhook.Host.Images;

/// <summary>Registers image verification: settings, trusted keys from the mounted folder, the gatherer and its cache, the step.</summary>
public static class ImageVerificationSetup
{
    public static IServiceCollection AddImageVerification(this IServiceCollection services)
    {
        services.AddOptions<ImageVerificationSettings>().BindConfiguration(ImageVerificationSettings.Section).ValidateOnStart();
        services.AddSingleton<ProvenanceMetrics>();
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
                Provenance.Sigstore.TrustedRoots.Load(settings.TrustedRootsDirectory, settings.TrustEmbeddedRoot),
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
