using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>Evaluates one check on one pod spec, reporting what it finds.</summary>
public delegate void PodCheck(PodView pod, Findings findings);

/// <summary>Where a check belongs: a Pod Security Standards level, or the least-privilege checks beyond it.</summary>
public enum CheckLevel
{
    Baseline,
    Restricted,
    LeastPrivilege,
}

/// <summary>A check the registry knows: its id (camelCase, the Pod Security Standards name where one exists), level and title.</summary>
public interface ICheck
{
    string Id { get; }

    CheckLevel Level { get; }

    /// <summary>What the check guards against, in a few words.</summary>
    string Title { get; }
}

/// <summary>One version of a Pod Security Standards check, in force from <see cref="MinimumVersion"/> until the next.</summary>
public sealed record CheckVersion(PssVersion MinimumVersion, PodCheck Evaluate, IReadOnlyList<string>? Overrides = null);

/// <summary>A Pod Security Standards check with its whole version history. Versions are added, never edited.</summary>
public abstract class PssCheck : ICheck
{
    public abstract string Id { get; }

    public abstract CheckLevel Level { get; }

    public abstract string Title { get; }

    public abstract IReadOnlyList<CheckVersion> Versions { get; }

    protected static CheckVersion Since(int minor, PodCheck evaluate, params string[] overrides) =>
        new(PssVersion.Of(minor), evaluate, overrides.Length == 0 ? null : overrides);
}

/// <summary>A parameterised least-privilege check beyond the Pod Security Standards.</summary>
public abstract class LeastPrivilegeCheck<TOptions> : ICheck
    where TOptions : class
{
    public abstract string Id { get; }

    public CheckLevel Level => CheckLevel.LeastPrivilege;

    public abstract string Title { get; }

    public abstract void Evaluate(PodView pod, TOptions options, Findings findings);

    /// <summary>Fixes the options, giving the function the evaluator runs.</summary>
    public PodCheck Bind(TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return (pod, findings) => Evaluate(pod, options, findings);
    }
}
