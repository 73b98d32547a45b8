using System.Text;

namespace AckFc.AlibabaCloud.Sts;

/// <summary>
/// What STS accepts for <c>AssumeRole</c>, checked before a call so a mistake fails here with a message rather than
/// as <c>InvalidParameter.*</c> from the cloud. Where the current SDK documentation and the older FAQ disagree, the
/// narrower rule of the two is kept, so a value passes both.
/// </summary>
public static class StsRules
{
    /// <summary>Shortest session name.</summary>
    public const int MinSessionNameLength = 2;

    /// <summary>Longest session name: the SDK says 64, the older FAQ 32.</summary>
    public const int MaxSessionNameLength = 32;

    /// <summary>Shortest session STS grants (15 minutes).</summary>
    public static readonly TimeSpan MinDuration = TimeSpan.FromSeconds(900);

    /// <summary>
    /// Longest session asked for (1 hour): the older FAQ's maximum, and no role's <c>MaxSessionDuration</c> is shorter.
    /// A function that assumes a member role with its own STS credentials chains roles, and whether a chained
    /// session may last longer is not documented.
    /// </summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromSeconds(3600);

    private const string SessionPrefix = "ackfc";

    /// <summary>True when STS accepts <paramref name="sessionName"/>: 2 to 32 of letters, digits, <c>. @ - _</c>.</summary>
    public static bool IsValidSessionName(string? sessionName) =>
        sessionName is { Length: >= MinSessionNameLength and <= MaxSessionNameLength } && sessionName.All(IsSessionChar);

    /// <summary>Throws <see cref="ArgumentException"/> saying what is wrong with the session name.</summary>
    public static void EnsureValidSessionName(string? sessionName, string parameterName = "sessionName")
    {
        if (sessionName is null || sessionName.Length < MinSessionNameLength || sessionName.Length > MaxSessionNameLength)
        {
            throw new ArgumentException(
                $"The STS session name '{sessionName}' has {sessionName?.Length ?? 0} characters; it must have {MinSessionNameLength} to {MaxSessionNameLength}.",
                parameterName);
        }

        var bad = sessionName.AsSpan().IndexOfAnyExcept(SessionChars);
        if (bad >= 0)
        {
            throw new ArgumentException(
                $"The STS session name '{sessionName}' has the character '{sessionName[bad]}' at {bad}; only letters, digits and . @ - _ are allowed.",
                parameterName);
        }
    }

    /// <summary>
    /// The session name of a sweep: <c>ackfc-{sweepId}</c>, every character STS refuses replaced by <c>-</c>, cut to
    /// <see cref="MaxSessionNameLength"/>. The member's ActionTrail then shows AckFc and which sweep read it.
    /// </summary>
    public static string SessionNameForSweep(string? sweepId)
    {
        if (string.IsNullOrWhiteSpace(sweepId))
        {
            return SessionPrefix;
        }

        var builder = new StringBuilder(SessionPrefix.Length + 1 + sweepId.Length).Append(SessionPrefix).Append('-');
        foreach (var c in sweepId.Trim())
        {
            builder.Append(IsSessionChar(c) ? c : '-');
        }

        return builder.Length > MaxSessionNameLength ? builder.ToString(0, MaxSessionNameLength) : builder.ToString();
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless the duration is whole seconds within the bounds.</summary>
    public static void EnsureValidDuration(TimeSpan duration, string parameterName = "duration")
    {
        if (duration < MinDuration || duration > MaxDuration || duration.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            throw new ArgumentOutOfRangeException(
                parameterName, duration,
                $"An STS session lasts whole seconds from {MinDuration.TotalSeconds:0} to {MaxDuration.TotalSeconds:0}.");
        }
    }

    /// <summary>
    /// The ARN of role <paramref name="roleName"/> in account <paramref name="accountId"/>:
    /// <c>acs:ram::{accountId}:role/{roleName}</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The account id is not digits, or the role name is empty or has <c>:</c> or <c>/</c>.</exception>
    public static string RoleArn(string accountId, string roleName)
    {
        if (string.IsNullOrEmpty(accountId) || !accountId.All(char.IsAsciiDigit))
        {
            throw new ArgumentException($"'{accountId}' is not an Alibaba Cloud account id (digits only).", nameof(accountId));
        }

        if (string.IsNullOrWhiteSpace(roleName) || roleName.Any(c => c is ':' or '/' || char.IsWhiteSpace(c)))
        {
            throw new ArgumentException($"'{roleName}' is not a RAM role name.", nameof(roleName));
        }

        return $"acs:ram::{accountId}:role/{roleName}";
    }

    private static readonly System.Buffers.SearchValues<char> SessionChars =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.@-_");

    private static bool IsSessionChar(char c) => SessionChars.Contains(c);
}
