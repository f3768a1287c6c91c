namespace PolicyWebhook.Cel.Values;

/// <summary>A Kubernetes URL value (<c>url('https://example.com:80/path?x=1')</c>), split as RFC 3986 does.</summary>
public sealed record CelUrl(string Text, string Scheme, string Host, string Path, string Query);
