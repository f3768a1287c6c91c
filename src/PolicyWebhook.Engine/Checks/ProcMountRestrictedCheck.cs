using PolicyWebhook.Engine.Evaluation;

namespace PolicyWebhook.Engine.Checks;

/*
 * Under restricted, /proc stays masked even in a user namespace (spec.hostUsers=false).
 *
 * Restricted fields:
 *   spec.containers[*].securityContext.procMount, and init and ephemeral containers
 * Allowed values: undefined, Default
 * New in v1.35, when the baseline check began to allow any value in a user namespace. Overrides procMount.
 */
public sealed class ProcMountRestrictedCheck : PssCheck
{
    public override string Id => "procMount_restricted";

    public override CheckLevel Level => CheckLevel.Restricted;

    public override string Title => "unmasked /proc, even in a user namespace";

    public override IReadOnlyList<CheckVersion> Versions { get; } = [Since(35, ProcMountCheck.V1Dot0, "procMount")];
}
