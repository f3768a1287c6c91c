namespace PolicyWebhook.Engine.Evaluation;

/// <summary>
/// Collects what the checks find wrong with one object. A check reports a finding with the field path, the message,
/// what it found and what is required; the evaluator stamps each with the policy, check and mode it was running.
/// Allocates nothing until the first finding.
/// </summary>
public sealed class Findings
{
    /// <summary>
    /// At most this many violations are kept per object. A pod with a hundred thousand containers fits in a 3 MiB
    /// body; its messages must not take hundreds of megabytes. What is dropped is counted, and whether it would deny.
    /// </summary>
    public const int MaxViolations = 1000;

    private List<Violation>? _violations;
    private PolicyReference _policy;
    private string _check = string.Empty;
    private PolicyMode _mode;

    public int Count => _violations?.Count ?? 0;

    /// <summary>Violations found beyond <see cref="MaxViolations"/>, counted but not kept.</summary>
    public int Omitted { get; private set; }

    /// <summary>True when an omitted violation was in Enforce mode, so the object is denied all the same.</summary>
    public bool OmittedEnforce { get; private set; }

    internal IReadOnlyList<Violation> Violations => _violations is null ? [] : _violations;

    internal void Begin(PolicyReference policy, string check, PolicyMode mode)
    {
        _policy = policy;
        _check = check;
        _mode = mode;
    }

    /// <summary>Reports one violation. <paramref name="found"/> must never hold a secret value.</summary>
    public void Add(string path, string message, string found, string required) => Add(path, message, found, required, forEveryContainer: false);

    /// <summary>Reports one pod-level violation that stands for every container (<see cref="Violation.ForEveryContainer"/>).</summary>
    public void AddForEveryContainer(string path, string message, string found, string required) => Add(path, message, found, required, forEveryContainer: true);

    /// <summary>
    /// Reports one violation that never denies: in Warn mode where the check enforces, else in the check's own mode.
    /// It is what a rule allows with a warning (a registry that did not answer, where the rule says to allow).
    /// </summary>
    public void AddWarning(string path, string message, string found, string required) =>
        Add(path, message, found, required, forEveryContainer: false, _mode == PolicyMode.Enforce ? PolicyMode.Warn : _mode);

    private void Add(string path, string message, string found, string required, bool forEveryContainer, PolicyMode? mode = null)
    {
        if (Count >= MaxViolations)
        {
            Omitted++;
            OmittedEnforce |= (mode ?? _mode) == PolicyMode.Enforce;
            return;
        }

        (_violations ??= new List<Violation>(4)).Add(new Violation(_policy, _check, mode ?? _mode, path, message, found, required) { ForEveryContainer = forEveryContainer });
    }
}
