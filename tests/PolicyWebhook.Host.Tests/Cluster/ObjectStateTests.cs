using PolicyWebhook.Host.Cluster;
using PolicyWebhook.Policies.Resources;

namespace PolicyWebhook.Host.Tests.Cluster;

public sealed class ObjectStateTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DesiredAt_ExpiredException_IsNotReadyOnItsOwn()
    {
        var state = new ObjectState("PolicyException", "policyexceptions", "shop", "late", 1, null, [], Now.AddMinutes(-1));

        Assert.Equal(("False", "Expired", "Expired at 2026-11-24T11:59:00Z; it no longer applies."), state.DesiredAt(Now));
        Assert.Equal(("True", "Valid", "In force."), state.DesiredAt(Now.AddMinutes(-2)));
    }

    [Fact]
    public void StatusIsCurrentAt_NewGeneration_IsNotCurrent()
    {
        var status = new ResourceStatus
        {
            ObservedGeneration = 1,
            Conditions = [new StatusCondition { Type = "Ready", Status = "True", Reason = "Valid", Message = "In force." }],
        };

        Assert.True(new ObjectState("ClusterPolicy", "clusterpolicies", null, "p", 1, status, []).StatusIsCurrentAt(Now));
        Assert.False(new ObjectState("ClusterPolicy", "clusterpolicies", null, "p", 2, status, []).StatusIsCurrentAt(Now));
        Assert.False(new ObjectState("ClusterPolicy", "clusterpolicies", null, "p", 1, status, ["spec.mode: wrong"]).StatusIsCurrentAt(Now));
    }
}
