using System.Diagnostics;
using System.Diagnostics.Metrics;
using PolicyWebhook.Engine;
using PolicyWebhook.Host.Policies;
using PolicyWebhook.Host.Tls;

namespace PolicyWebhook.Host.Telemetry;

/// <summary>
/// Every metric the webhook exports, in one place. Prometheus sees them as <c>policywebhook_admission_requests_total</c>,
/// <c>policywebhook_admission_duration_seconds</c>, <c>policywebhook_violations_total</c>,
/// <c>policywebhook_violations_waived_total</c>, <c>policywebhook_policies_loaded</c>,
/// <c>policywebhook_policies_last_reload_timestamp_seconds</c>, <c>policywebhook_policies_failed_loads_total</c>,
/// <c>policywebhook_exceptions</c>, <c>policywebhook_exceptions_expiry_timestamp_seconds</c> and
/// <c>policywebhook_tls_certificate_expiry_timestamp_seconds</c>. The chart's alerts and dashboard read these names.
/// </summary>
public sealed class AdmissionMetrics
{
    public const string MeterName = "PolicyWebhook";

    private static readonly double[] DurationBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _violations;
    private readonly Counter<long> _waived;

    public AdmissionMetrics(IMeterFactory meterFactory, IPolicySource policies, CertificateReloader certificates)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(certificates);
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("policywebhook.admission.requests", "{request}", "Admission requests answered, by webhook, operation, kind, decision and mode.");
        _duration = meter.CreateHistogram(
            "policywebhook.admission.duration",
            "s",
            "Time to answer an admission request, from the first byte of the body read to the answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _violations = meter.CreateCounter<long>("policywebhook.violations", "{violation}", "Violations found, by policy, check and mode.");
        meter.CreateObservableGauge("policywebhook.policies.loaded", () => policies.Current?.Policies.Count ?? 0, "{policy}", "Policies in force.");
        meter.CreateObservableGauge(
            "policywebhook.policies.last_reload.timestamp",
            () => policies.Current?.LoadedAt.ToUnixTimeMilliseconds() / 1000.0 ?? 0,
            "s",
            "When the policies in force were loaded, as Unix time.");
        meter.CreateObservableGauge(
            "policywebhook.exceptions",
            () => ExceptionCounts(policies.Current),
            "{exception}",
            "PolicyExceptions loaded, by state: active or expired.");
        _waived = meter.CreateCounter<long>("policywebhook.violations.waived", "{violation}", "Violations a PolicyException waived, by policy, check and exception.");
        meter.CreateObservableCounter("policywebhook.policies.failed_loads", () => policies.FailedLoads, "{load}", "Policy loads rejected because of a broken policy.");
        // One series per PolicyException: their number is what the cluster's owners create, and each must expire.
        meter.CreateObservableGauge(
            "policywebhook.exceptions.expiry.timestamp",
            () => ExceptionExpiries(policies.Current),
            "s",
            "When each PolicyException loaded expires, as Unix time, by exception (namespace/name).");
        meter.CreateObservableGauge(
            "policywebhook.tls.certificate.expiry.timestamp",
            () => certificates.NotAfter is { } notAfter ? [new Measurement<long>(notAfter.ToUnixTimeSeconds())] : Array.Empty<Measurement<long>>(),
            "s",
            "When the serving certificate in force expires, as Unix time.");
    }

    public void RecordRequest(string webhook, AdmissionRequestTags tags, string decision, string mode, double seconds)
    {
        var tagList = new TagList
        {
            { "webhook", webhook },
            { "operation", tags.Operation },
            { "kind", tags.Kind },
            { "decision", decision },
            { "mode", mode },
        };
        _requests.Add(1, tagList);
        _duration.Record(seconds, new TagList { { "webhook", webhook }, { "decision", decision } });
    }

    public void RecordWaived(IReadOnlyList<Engine.Exceptions.WaivedViolation> waived)
    {
        ArgumentNullException.ThrowIfNull(waived);
        foreach (var w in waived)
        {
            _waived.Add(1, new TagList { { "policy", w.Violation.Policy.Name }, { "check", w.Violation.Check }, { "exception", $"{w.Exception.Namespace}/{w.Exception.Name}" } });
        }
    }

    private static Measurement<int>[] ExceptionCounts(PolicySnapshot? snapshot)
    {
        if (snapshot is null)
        {
            return [];
        }

        var now = DateTimeOffset.UtcNow;
        var expired = snapshot.Exceptions.Count(e => e.IsExpired(now));
        return
        [
            new Measurement<int>(snapshot.Exceptions.Count - expired, new KeyValuePair<string, object?>("state", "active")),
            new Measurement<int>(expired, new KeyValuePair<string, object?>("state", "expired")),
        ];
    }

    private static Measurement<long>[] ExceptionExpiries(PolicySnapshot? snapshot) =>
        snapshot is null
            ? []
            : [.. snapshot.Exceptions.Select(e => new Measurement<long>(
                e.ExpiresAt.ToUnixTimeSeconds(),
                new KeyValuePair<string, object?>("exception", $"{e.Reference.Namespace}/{e.Reference.Name}")))];

    public void RecordViolations(IReadOnlyList<Violation> violations)
    {
        ArgumentNullException.ThrowIfNull(violations);
        foreach (var violation in violations)
        {
            _violations.Add(
                1,
                new TagList
                {
                    { "policy", violation.Policy.Namespace is null ? violation.Policy.Name : $"{violation.Policy.Namespace}/{violation.Policy.Name}" },
                    { "check", violation.Check },
                    { "mode", violation.Mode.ToString().ToLowerInvariant() },
                });
        }
    }
}

/// <summary>The request's operation and kind as metric tags: only known values, so a request cannot grow the label set.</summary>
public readonly record struct AdmissionRequestTags(string Operation, string Kind)
{
    public static AdmissionRequestTags Of(Admission.AdmissionRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var kind = Engine.Workloads.PodSpecLocator.Kinds.ContainsKey(request.Kind) || request.Kind is "ClusterPolicy" or "Policy" or "PolicyException"
            ? request.Kind
            : "other";
        return new AdmissionRequestTags(request.Operation, request.SubResource == "ephemeralcontainers" ? "Pod/ephemeralcontainers" : kind);
    }
}
