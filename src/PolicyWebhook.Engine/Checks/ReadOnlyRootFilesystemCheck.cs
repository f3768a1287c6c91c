using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/// <summary>The read-only root filesystem check has no parameters.</summary>
public sealed record ReadOnlyRootFilesystemOptions
{
    public static ReadOnlyRootFilesystemOptions Default { get; } = new();
}

/*
 * Container breakout and tampering: a writable root filesystem lets an intruder drop tools and change binaries.
 *
 * Restricted fields, for containers, init containers and ephemeral containers:
 *   securityContext.readOnlyRootFilesystem
 * Required: true. Windows pods are exempt: Windows containers do not support it.
 */
public sealed class ReadOnlyRootFilesystemCheck : LeastPrivilegeCheck<ReadOnlyRootFilesystemOptions>
{
    public override string Id => "readOnlyRootFilesystem";

    public override string Title => "writable root filesystem";

    public override void Evaluate(PodView pod, ReadOnlyRootFilesystemOptions options, Findings findings)
    {
        ArgumentNullException.ThrowIfNull(pod);
        ArgumentNullException.ThrowIfNull(findings);
        if (pod.IsWindows)
        {
            return;
        }

        foreach (var container in pod.Containers)
        {
            var value = container.SecurityContext?.ReadOnlyRootFilesystem;
            if (value != true)
            {
                findings.Add(
                    container.PathOf("securityContext.readOnlyRootFilesystem"),
                    $"{container.Subject} must set securityContext.readOnlyRootFilesystem=true",
                    Text.OrUnset(value),
                    "true (mount an emptyDir where the app must write)");
            }
        }
    }
}
