namespace PolicyWebhook.Engine;

/// <summary>What a violation does: deny the request, warn the user, or only record it.</summary>
public enum PolicyMode
{
    Enforce,
    Warn,
    Audit,
}
