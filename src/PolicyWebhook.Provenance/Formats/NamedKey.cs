using PolicyWebhook.Provenance.Keys;

namespace PolicyWebhook.Provenance.Formats;

/// <summary>A trusted key with the name the rule entry gives it, the name facts and messages use.</summary>
internal sealed record NamedKey(string Name, TrustedKey Key);
