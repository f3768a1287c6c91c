using System.Text;
using PolicyWebhook.Cluster.Reports;
using PolicyWebhook.Engine;

namespace PolicyWebhook.Cluster.Tests;

public sealed class NamespaceReportTests
{
    private static readonly PolicyReference Restricted = new("ClusterPolicy", "restricted");

    private static AuditedWorkload Failing(int i, params (string Check, PolicyMode Mode)[] checks) => new(
        "apps/v1",
        "Deployment",
        "shop",
        $"app-{i:D5}",
        $"uid-{i}",
        AuditOutcome.Evaluated,
        new EvaluationResult(
            "Deployment",
            $"app-{i:D5}",
            "shop",
            [.. checks.Select(c => new Violation(Restricted, c.Check, c.Mode, "spec.template.spec.containers[0].securityContext", $"container \"app\" breaks {c.Check}", "x", "y"))],
            1));

    [Fact]
    public void Render_FiveThousandFailingObjects_StaysWithinTheBudgetAndCountsWhatItLeftOut()
    {
        var report = new NamespaceReport("shop");
        for (var i = 0; i < 5000; i++)
        {
            report.Add(Failing(i, ("runAsNonRoot", PolicyMode.Enforce), ("readOnlyRootFilesystem", PolicyMode.Warn)), listPasses: false);
        }

        var document = report.Render(ReportFormat.PolicyReport, 512 * 1024, listPasses: false);

        var size = Encoding.UTF8.GetByteCount(document.ToJsonString());
        Assert.InRange(size, 400 * 1024, 512 * 1024);
        Assert.Equal(5000, (int)document["summary"]!["fail"]!);
        Assert.Equal(5000, (int)document["summary"]!["warn"]!);
        var listed = document["results"]!.AsArray();
        var folded = (string)document["metadata"]!["annotations"]![NamespaceReport.FoldedAnnotation]!;
        Assert.StartsWith($"{10_000 - listed.Count} of 10000 results left out", folded, StringComparison.Ordinal);
        // What denies is kept before what only warns.
        Assert.All(listed.Take(listed.Count), r => Assert.Equal("fail", (string?)r!["result"]));
    }

    [Fact]
    public void Render_SameFindingsInAnotherOrder_IsByteForByteTheSame()
    {
        var one = new NamespaceReport("shop");
        var other = new NamespaceReport("shop");
        foreach (var i in Enumerable.Range(0, 50))
        {
            one.Add(Failing(i, ("runAsNonRoot", PolicyMode.Enforce)), listPasses: false);
            other.Add(Failing(49 - i, ("runAsNonRoot", PolicyMode.Enforce)), listPasses: false);
        }

        Assert.Equal(one.Render(ReportFormat.PolicyReport, 512 * 1024, false).ToJsonString(), other.Render(ReportFormat.PolicyReport, 512 * 1024, false).ToJsonString());
    }

    [Fact]
    public void Add_SameCheckInTwoContainers_IsOneResultNamingBothPaths()
    {
        var report = new NamespaceReport("shop");
        var result = new EvaluationResult("Deployment", "web", "shop",
        [
            new Violation(Restricted, "runAsNonRoot", PolicyMode.Enforce, "spec.template.spec.containers[0].securityContext.runAsNonRoot", "container \"a\" must set securityContext.runAsNonRoot=true", "unset", "true"),
            new Violation(Restricted, "runAsNonRoot", PolicyMode.Enforce, "spec.template.spec.containers[1].securityContext.runAsNonRoot", "container \"b\" must set securityContext.runAsNonRoot=true", "unset", "true"),
        ], 1);
        report.Add(new AuditedWorkload("apps/v1", "Deployment", "shop", "web", "u", AuditOutcome.Evaluated, result), listPasses: false);

        var single = Assert.Single(report.Render(ReportFormat.OpenReports, 512 * 1024, false)["results"]!.AsArray())!;

        Assert.Equal("spec.template.spec.containers[0].securityContext.runAsNonRoot, spec.template.spec.containers[1].securityContext.runAsNonRoot", (string?)single["properties"]!["paths"]);
        Assert.Equal("container \"a\" must set securityContext.runAsNonRoot=true; container \"b\" must set securityContext.runAsNonRoot=true", (string?)single["message"]);
    }
}
