using System.Text.RegularExpressions;
using AckFc.AlibabaCloud.Cs;

namespace AckFc.Core.Policy;

/// <summary>A glob over ids and names: <c>*</c> any run, <c>?</c> one character; matched whole and case-sensitively.</summary>
public sealed class Glob
{
    private readonly Regex regex;

    private Glob(string pattern, Regex regex)
    {
        Pattern = pattern;
        this.regex = regex;
    }

    public string Pattern { get; }

    /// <summary>Parses a glob; null with a reason when it is not one (empty, or characters a glob cannot hold).</summary>
    public static Glob? TryParse(string pattern, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(pattern))
        {
            error = "a glob may not be empty";
            return null;
        }

        if (pattern.AsSpan().IndexOfAny("[]{}\\") >= 0)
        {
            error = $"'{pattern}' is not a valid glob: only '*' and '?' are special";
            return null;
        }

        var body = Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal);
        return new Glob(pattern, new Regex("^" + body + "$", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));
    }

    public bool IsMatch(string? value) => value is not null && regex.IsMatch(value);

    public override string ToString() => Pattern;
}

/// <summary>Which clusters a part of the policy speaks of. Every condition given must hold; an empty selector matches all.</summary>
public sealed record ClusterSelector
{
    public static ClusterSelector All { get; } = new();

    public static ClusterSelector None { get; } = new() { MatchesNothing = true };

    public IReadOnlyList<Glob> ClusterIds { get; init; } = [];
    public IReadOnlyList<Glob> Names { get; init; } = [];
    public IReadOnlyList<string> Regions { get; init; } = [];
    /// <summary>Tag key to a glob over its value.</summary>
    public IReadOnlyDictionary<string, Glob> Tags { get; init; } = new Dictionary<string, Glob>();
    public IReadOnlyList<Glob> ClusterSpecs { get; init; } = [];
    public IReadOnlyList<string> Profiles { get; init; } = [];
    /// <summary>Set by <c>none: true</c>, or when the policy leaves the selector out where the default is "no cluster".</summary>
    public bool MatchesNothing { get; init; }

    public bool Matches(AckCluster cluster)
    {
        if (MatchesNothing)
        {
            return false;
        }

        return (ClusterIds.Count == 0 || ClusterIds.Any(g => g.IsMatch(cluster.ClusterId)))
            && (Names.Count == 0 || Names.Any(g => g.IsMatch(cluster.Name)))
            && (Regions.Count == 0 || Regions.Contains(cluster.RegionId, StringComparer.Ordinal))
            && (ClusterSpecs.Count == 0 || ClusterSpecs.Any(g => g.IsMatch(cluster.ClusterSpec)))
            && (Profiles.Count == 0 || Profiles.Contains(cluster.Profile ?? "Default", StringComparer.Ordinal))
            && Tags.All(t => cluster.Tags.TryGetValue(t.Key, out var value) && t.Value.IsMatch(value));
    }
}

/// <summary>Which keys clusters may use and how healthy they must be.</summary>
public sealed record KeyPolicy
{
    /// <summary>Globs over key ids, aliases (<c>alias/…</c>) and ARNs; a key is allowed when any of its names matches.</summary>
    public IReadOnlyList<Glob> Allowed { get; init; } = [];
    /// <summary>Per-region allow-lists; a region listed here uses its own list instead of <see cref="Allowed"/>.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<Glob>> AllowedByRegion { get; init; } = new Dictionary<string, IReadOnlyList<Glob>>();
    public bool RequireDeletionProtection { get; init; } = true;
    public bool RequireRotation { get; init; } = true;
    public bool RequireHsm { get; init; }
    /// <summary>Days before <c>DeleteDate</c> inside which a pending deletion is escalated in messages.</summary>
    public int DeletionWarningDays { get; init; } = 30;
    /// <summary>Imported material that expires within this many days fails ACKFC-KEY-004.</summary>
    public int MaterialExpiryWarningDays { get; init; } = 30;

    /// <summary>The allow-list that applies in a region; empty means any key.</summary>
    public IReadOnlyList<Glob> AllowedIn(string regionId) =>
        AllowedByRegion.TryGetValue(regionId, out var list) ? list : Allowed;

    /// <summary>True when some allow-list names an alias, so the sweep must list aliases to judge ACKFC-KEY-005.</summary>
    public bool NeedsAliases =>
        Allowed.Concat(AllowedByRegion.Values.SelectMany(v => v)).Any(g => g.Pattern.StartsWith("alias/", StringComparison.Ordinal));
}

/// <summary>What the sweep may repair. Everything is off unless the policy turns it on.</summary>
public sealed record RemediationPolicy
{
    public bool EnableEncryption { get; init; }
    /// <summary>The key (id or alias) to enable encryption with, per region.</summary>
    public IReadOnlyDictionary<string, string> DefaultKeys { get; init; } = new Dictionary<string, string>();
    public bool CancelKeyDeletion { get; init; }
    public bool EnableDeletionProtection { get; init; }
    public bool EnableKey { get; init; }
    public int MaxChangesPerSweep { get; init; } = 5;

    public bool Any => EnableEncryption || CancelKeyDeletion || EnableDeletionProtection || EnableKey;
}

/// <summary>An accepted, time-limited exception to one rule for some clusters.</summary>
public sealed record Waiver(string RuleId, ClusterSelector Selector, string Reason, string Owner, DateTimeOffset Expires);

/// <summary>A parsed, validated policy.</summary>
public sealed record AckFcPolicy
{
    /// <summary>Clusters that must have Secret encryption on (ACKFC-ENC-001).</summary>
    public ClusterSelector EncryptionRequired { get; init; } = ClusterSelector.All;
    /// <summary>Clusters on which encryption may never be turned off (ACKFC-POL-001).</summary>
    public ClusterSelector NeverDisable { get; init; } = ClusterSelector.All;
    public KeyPolicy Keys { get; init; } = new();
    public RemediationPolicy Remediation { get; init; } = new();
    public Enforcement DefaultEnforcement { get; init; } = Enforcement.Enforce;
    public IReadOnlyDictionary<string, Enforcement> RuleEnforcement { get; init; } = new Dictionary<string, Enforcement>();
    public IReadOnlyList<Waiver> Waivers { get; init; } = [];
    /// <summary>What the key guard reacts to and may do (<c>guard</c>).</summary>
    public GuardPolicy Guard { get; init; } = new();

    public Enforcement EnforcementOf(string ruleId) => RuleEnforcement.GetValueOrDefault(ruleId, DefaultEnforcement);
}

/// <summary>A policy with where it came from and its version (SHA-256 of the file bytes).</summary>
public sealed record LoadedPolicy(AckFcPolicy Policy, string Version, string Source);

/// <summary>A policy file that cannot be used, with the place of the problem.</summary>
public sealed class PolicyException(string source, long line, long column, string problem)
    : Exception($"{source}:{line}:{column}: {problem}")
{
    public string File { get; } = source;
    public long Line { get; } = line;
    public long Column { get; } = column;
    public string Problem { get; } = problem;
}
