namespace PolicyWebhook.Cel.Values;

/// <summary>A named format of Kubernetes' format library (<c>format.dns1123Label()</c>).</summary>
public sealed record CelFormat(string Name);
