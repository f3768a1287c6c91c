namespace PolicyWebhook.Engine;

/// <summary>A Pod Security Standards level; each level allows less than the one before it.</summary>
public enum PssLevel
{
    Privileged,
    Baseline,
    Restricted,
}
