namespace PolicyWebhook.Cel.Values;

/// <summary>A Kubernetes Semver value (<c>semver('1.2.3-rc.1')</c>).</summary>
public sealed record CelSemver(long Major, long Minor, long Patch, string PreRelease, string Build);
