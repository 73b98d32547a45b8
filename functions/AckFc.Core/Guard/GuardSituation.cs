using AckFc.AlibabaCloud.Cs;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Guard;

/// <summary>One cluster the event may affect: as listed now, and as judged now.</summary>
public sealed record GuardJudgedCluster(AckCluster Cluster, ClusterReport Report);

/// <summary>What the guard read for one event: the decider's whole input.</summary>
/// <param name="Kind">What the event was.</param>
/// <param name="RegionId">Where it happened.</param>
/// <param name="Key">The key as the event named it, resolved (null for drift).</param>
/// <param name="Clusters">The clusters of the region that use the key (or, for drift, the one cluster), judged on state read now.</param>
public sealed record GuardSituation(GuardEventKind Kind, string RegionId, string? Key, IReadOnlyList<GuardJudgedCluster> Clusters);

/// <summary>A protective action the decider wants, and whether it is to be applied (enforce) or only reported (dryrun).</summary>
public sealed record GuardPlannedAction(RemediationAction Action, bool Apply);

/// <summary>The decider's answer.</summary>
public sealed record GuardVerdict
{
    public required GuardDecision Decision { get; init; }
    public required string Reason { get; init; }
    public Severity? Severity { get; init; }
    public string? RuleId { get; init; }
    public IReadOnlyList<GuardCluster> Clusters { get; init; } = [];
    public IReadOnlyList<GuardPlannedAction> Actions { get; init; } = [];
}
