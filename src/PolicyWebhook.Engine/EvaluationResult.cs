namespace PolicyWebhook.Engine;

/// <summary>The verdict on one object: every violation of every policy that applied, and whether it may be admitted.</summary>
public sealed class EvaluationResult
{
    public EvaluationResult(string kind, string name, string @namespace, IReadOnlyList<Violation> violations, int policiesApplied, int omitted = 0, bool omittedEnforce = false)
    {
        Omitted = omitted;
        OmittedEnforce = omittedEnforce;
        Kind = kind;
        Name = name;
        Namespace = @namespace;
        Violations = violations;
        PoliciesApplied = policiesApplied;
    }

    public string Kind { get; }

    public string Name { get; }

    public string Namespace { get; }

    public IReadOnlyList<Violation> Violations { get; }

    /// <summary>Violations beyond <see cref="Evaluation.Findings.MaxViolations"/>, counted but not listed.</summary>
    public int Omitted { get; }

    /// <summary>True when an omitted violation was in Enforce mode.</summary>
    public bool OmittedEnforce { get; }

    /// <summary>Violations a PolicyException waived: not in <see cref="Violations"/>, kept to be logged and counted.</summary>
    public IReadOnlyList<Exceptions.WaivedViolation> Waived { get; init; } = [];

    /// <summary>How many policies matched the object.</summary>
    public int PoliciesApplied { get; }

    /// <summary>False when any violation is in <see cref="PolicyMode.Enforce"/> mode.</summary>
    public bool Allowed
    {
        get
        {
            if (OmittedEnforce)
            {
                return false;
            }

            foreach (var violation in Violations)
            {
                if (violation.Mode == PolicyMode.Enforce)
                {
                    return false;
                }
            }

            return true;
        }
    }

    public IEnumerable<Violation> InMode(PolicyMode mode) => Violations.Where(v => v.Mode == mode);
}
