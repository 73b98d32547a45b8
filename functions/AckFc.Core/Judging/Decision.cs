using AckFc.Core.Policy;

namespace AckFc.Core.Judging;

/// <summary>One reason a change is not allowed (contracts §4).</summary>
public sealed record Violation(string RuleId, string Message, IReadOnlyDictionary<string, string>? Details = null);

/// <summary>The decision body of contracts §4.</summary>
public sealed record Decision
{
    public required bool Allowed { get; init; }
    public required Enforcement Enforcement { get; init; }
    public required IReadOnlyList<Violation> Violations { get; init; }
    public required string PolicyVersion { get; init; }
    /// <summary>The invocation's request id.</summary>
    public required string RequestId { get; init; }
}

/// <summary>The planned ACK call.</summary>
public sealed record ChangePlan(string Action, string ClusterId, string RegionId, string? KmsKeyId, bool DisableEncryption);
