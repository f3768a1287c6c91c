using PolicyWebhook.Engine;

namespace PolicyWebhook.Host.Admission;

/// <summary>Handles one admission request; decorators wrap it for filtering, metrics, tracing and logging.</summary>
public delegate AdmissionOutcome AdmissionHandler(AdmissionRequest request);

/// <summary>The words used for decisions in metrics, traces and logs.</summary>
public static class Decisions
{
    public const string Allowed = "allowed";
    public const string Denied = "denied";
    public const string Mutated = "mutated";

    /// <summary>The namespace is exempt (the webhook's own, kube-system, or configured).</summary>
    public const string Exempt = "exempt";

    /// <summary>Not this webhook's business: another kind, DELETE or CONNECT, an unchanged pod spec.</summary>
    public const string Skipped = "skipped";

    /// <summary>The object could not be read as its kind: denied with code 400.</summary>
    public const string Invalid = "invalid";

    /// <summary>No policy set has loaded yet: denied with code 503.</summary>
    public const string Unavailable = "unavailable";

    public const string Error = "error";
}

/// <summary>What a handler decided: the answer, a decision word, and the violations behind it.</summary>
public sealed record AdmissionOutcome(AdmissionResponse Response, string Decision, IReadOnlyList<Violation> Violations)
{
    /// <summary>Violations a PolicyException waived, to be logged and counted as such.</summary>
    public IReadOnlyList<Engine.Exceptions.WaivedViolation> Waived { get; init; } = [];

    public static AdmissionOutcome Skip { get; } = new(AdmissionResponse.Allow, Decisions.Skipped, []);

    /// <summary>The strongest mode among the violations, for metrics: enforce, warn, audit, or none.</summary>
    public string Mode
    {
        get
        {
            var strongest = "none";
            foreach (var violation in Violations)
            {
                switch (violation.Mode)
                {
                    case PolicyMode.Enforce:
                        return "enforce";
                    case PolicyMode.Warn:
                        strongest = "warn";
                        break;
                    case PolicyMode.Audit when strongest == "none":
                        strongest = "audit";
                        break;
                }
            }

            return strongest;
        }
    }
}
