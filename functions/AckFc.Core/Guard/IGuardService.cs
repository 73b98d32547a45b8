using System.Text.Json.Serialization;
using AckFc.Core.Judging;
using AckFc.Core.Rules;

namespace AckFc.Core.Guard;

/// <summary>
/// The key guard (issue 13): reacts to one ActionTrail event delivered by EventBridge. The event says where to look;
/// the decision is made on state read fresh (the key, and the clusters of its region that use it).
/// </summary>
public interface IGuardService
{
    /// <summary>
    /// Handles the body Function Compute posted to <c>/invoke</c>: one CloudEvent JSON object (or, tolerated, a
    /// top-level array of them). Throws <see cref="GuardEventException"/> when the body is not a CloudEvent envelope.
    /// A failed read or action is in the answer (<see cref="GuardAnswer.Failed"/>), not thrown.
    /// </summary>
    Task<GuardAnswer> HandleAsync(ReadOnlyMemory<byte> body, GuardInvocation invocation, CancellationToken cancellationToken = default);
}

/// <summary>Who is invoking: the request id, and the access key id of this invocation's own credentials (its STS key).</summary>
public sealed record GuardInvocation(string RequestId, string? OwnAccessKeyId = null);

/// <summary>A body that is not a CloudEvent envelope; the message names what is wrong (never a secret).</summary>
public sealed class GuardEventException(string message) : Exception(message);

/// <summary>What the guard decided for one event.</summary>
public enum GuardDecision
{
    /// <summary>Not an event the guard reacts to (other event name, a failed call, protection/rotation turned on).</summary>
    [JsonStringEnumMemberName("ignored")] Ignored,
    /// <summary>Seen before (same <c>source</c> + <c>id</c>).</summary>
    [JsonStringEnumMemberName("duplicate")] Duplicate,
    /// <summary>Caused by AckFc itself (its roles' identity); never answered with an action.</summary>
    [JsonStringEnumMemberName("own")] Own,
    /// <summary>Re-read: nothing is wrong now (key healthy again, or used by no cluster).</summary>
    [JsonStringEnumMemberName("healthy")] Healthy,
    /// <summary>Something is wrong; alerted (and acted on where the policy allows).</summary>
    [JsonStringEnumMemberName("alerted")] Alerted,
    /// <summary>A recovery event (<c>EnableKey</c>, <c>CancelKeyDeletion</c>) and the clusters are healthy: notified resolved.</summary>
    [JsonStringEnumMemberName("resolved")] Resolved,
    /// <summary>A read or an action failed: Function Compute should retry the event.</summary>
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>One affected cluster, as the guard read it.</summary>
public sealed record GuardCluster(string ClusterId, string Name, string RegionId, FindingStatus Status, IReadOnlyList<string> FailedRules);

/// <summary>The answer for one event.</summary>
public sealed record GuardEventAnswer
{
    public string? EventId { get; init; }
    public string? EventName { get; init; }
    public required GuardDecision Decision { get; init; }
    /// <summary>One sentence: why.</summary>
    public required string Reason { get; init; }
    public Severity? Severity { get; init; }
    /// <summary>The rule the event is about, where one is (e.g. ACKFC-KEY-002 for DisableKey, ACKFC-POL-001 for drift).</summary>
    public string? RuleId { get; init; }
    public string? RegionId { get; init; }
    public string? KmsKeyId { get; init; }
    public IReadOnlyList<GuardCluster> Clusters { get; init; } = [];
    public IReadOnlyList<RemediationAction> Actions { get; init; } = [];
    /// <summary>Channels that accepted the guard notification.</summary>
    public IReadOnlyList<string> Notified { get; init; } = [];
    /// <summary>Cloud calls made for this event (reads and writes).</summary>
    public int CloudCalls { get; init; }
}

/// <summary>The small answer to Function Compute: what was decided and done for each event in the body.</summary>
public sealed record GuardAnswer
{
    public required IReadOnlyList<GuardEventAnswer> Events { get; init; }
    /// <summary>True when a read or an action failed for some event: the function answers 404 + x-fc-status so FC retries.</summary>
    public bool Failed => Events.Any(e => e.Decision == GuardDecision.Failed);
}
