using AckFc.Core.Compliance;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Reporting;

/// <summary>One cluster named in a key-guard alert.</summary>
internal sealed record GuardAlertCluster(string ClusterId, string Name, string RegionId, FindingStatus Status);

/// <summary>
/// What a key-guard notification says (kind <c>guard</c>): who did what and when, the key, every affected cluster,
/// the decision and the actions. Holds no secret: the caller's access key id is never put here.
/// </summary>
internal sealed record GuardAlert
{
    public required string EventId { get; init; }
    public required string EventName { get; init; }
    /// <summary>The guard's decision as its JSON name (<c>alerted</c>, <c>resolved</c>, <c>failed</c>).</summary>
    public required string Decision { get; init; }
    public bool Resolved { get; init; }
    public Severity? Severity { get; init; }
    public string? RuleId { get; init; }
    public required string Reason { get; init; }
    public required string RegionId { get; init; }
    public string? KmsKeyId { get; init; }
    public string? ClusterId { get; init; }
    public DateTimeOffset? EventTime { get; init; }
    public string? IdentityType { get; init; }
    public string? UserName { get; init; }
    public string? SourceIpAddress { get; init; }
    public IReadOnlyList<GuardAlertCluster> Clusters { get; init; } = [];
    public IReadOnlyList<RemediationAction> Actions { get; init; } = [];

    /// <summary>The one-line title every channel shows.</summary>
    public string Title => Resolved
        ? $"AckFc key guard: resolved · {EventName} · key {KmsKeyId ?? ClusterId}"
        : $"AckFc key guard alert [{(Severity is { } s ? JsonNames.Of(s).ToUpperInvariant() : "INFO")}] · {EventName} · {(KmsKeyId is null ? "cluster " + ClusterId : "key " + KmsKeyId)} · {Clusters.Count} cluster(s)";
}
