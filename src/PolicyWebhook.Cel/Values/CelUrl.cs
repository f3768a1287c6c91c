namespace PolicyWebhook.Cel.Values;

/// <summary>A Kubernetes URL value (<c>url('https://example.com:80/path?x=1')</c>), split as RFC 3986 does.</summary>
public sealed record CelUrl(string Text, string Scheme, string Host, string Path, string Query);

/// <summary>A Kubernetes Semver value (<c>semver('1.2.3-rc.1')</c>).</summary>
public sealed record CelSemver(long Major, long Minor, long Patch, string PreRelease, string Build);

/// <summary>A named format of Kubernetes' format library (<c>format.dns1123Label()</c>).</summary>
public sealed record CelFormat(string Name);
