namespace AckFc.Core.Guard;

/// <summary>
/// What the classifier made of an event: the kind and where to look, or why the guard ignores it. Nothing here is
/// the state: the decision re-reads it.
/// </summary>
public sealed record GuardClassification
{
    public GuardEventKind? Kind { get; init; }
    /// <summary>Why the event is ignored; null when <see cref="Kind"/> is set.</summary>
    public string? IgnoredReason { get; init; }
    public string? RegionId { get; init; }
    /// <summary>The key as the event names it, normalised: a key id, or <c>alias/…</c>.</summary>
    public string? Key { get; init; }
    /// <summary>For drift: the cluster.</summary>
    public string? ClusterId { get; init; }
    /// <summary>For <c>ScheduleKeyDeletion</c>: the window the caller asked for (informational only).</summary>
    public int? PendingWindowInDays { get; init; }

    public static GuardClassification Ignore(string reason, string? region = null) => new() { IgnoredReason = reason, RegionId = region };
}
