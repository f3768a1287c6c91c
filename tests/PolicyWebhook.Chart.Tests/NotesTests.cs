namespace PolicyWebhook.Chart.Tests;

/// <summary>What `helm install` prints afterwards says what is true in each mode, not a promise that does not hold.</summary>
public sealed class NotesTests
{
    private static string Notes(params string[] args)
    {
        var (exit, output, error) = Helm.Run(["install", Helm.Release, Helm.Chart, "--namespace", Helm.Namespace, "--dry-run=client", .. args]);
        Assert.True(exit == 0, error);
        return output[output.IndexOf("NOTES:", StringComparison.Ordinal)..].ReplaceLineEndings("\n");
    }

    [Fact]
    public void Url_mode_says_pods_are_refused_until_the_server_answers()
    {
        var notes = Notes("--values", Helm.CiValues("url-mode-values.yaml"));

        Assert.Contains("Until a server answers there, every pod created or updated outside the exempt namespaces is refused\n(\"failed calling webhook ... connection refused\")", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("every pod is allowed", notes, StringComparison.Ordinal);
    }

    [Fact]
    public void Deployment_mode_says_what_happens_before_a_replica_is_ready_and_with_no_policy()
    {
        var notes = Notes();

        Assert.Contains("Until one is ready, and whenever none is, pods created or updated outside the exempt namespaces are refused\n(webhook.failurePolicy=Fail).", notes, StringComparison.Ordinal);
        Assert.Contains("No policy is installed yet: once the webhook answers, it allows every pod.", notes, StringComparison.Ordinal);
        Assert.Contains("let in unchecked", Notes("--set", "webhook.failurePolicy=Ignore"), StringComparison.Ordinal);
    }

    [Fact]
    public void Default_policies_are_said_to_come_from_the_hook_through_the_check()
    {
        var notes = Notes("--set", "policies.defaults=true");

        Assert.Contains("applied by a hook Job\nthrough the webhook's own policy check as soon as a replica answers", notes, StringComparison.Ordinal);
        Assert.DoesNotContain("No policy is installed yet", notes, StringComparison.Ordinal);
    }
}
