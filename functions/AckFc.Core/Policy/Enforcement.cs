namespace AckFc.Core.Policy;

/// <summary>How a decision is enforced (policy, per rule).</summary>
public enum Enforcement
{
    /// <summary>A violation blocks the change.</summary>
    [JsonStringEnumMemberName("enforce")] Enforce,
    /// <summary>Decide and report; never block, never change.</summary>
    [JsonStringEnumMemberName("dryrun")] DryRun,
    /// <summary>A violation is reported but does not block.</summary>
    [JsonStringEnumMemberName("warn")] Warn,
}
