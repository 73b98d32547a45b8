using System.Collections.Concurrent;

namespace AckFc.Local.Emulator;

/// <summary>Faults injected into the answers of one API action (or of every action, under <c>*</c>).</summary>
public sealed class FaultProfile
{
    /// <summary>Added to every answer, before the signature check, like a slow network.</summary>
    public int LatencyMilliseconds { get; set; }

    /// <summary>A random extra delay from 0 to this value, drawn from the seeded generator.</summary>
    public int JitterMilliseconds { get; set; }

    /// <summary>Requests per second allowed; more in the same second answer <c>Throttling.User</c>. Null: no limit.</summary>
    public int? QpsLimit { get; set; }

    /// <summary>The status of a throttled answer: 400 (what the gateway documents) or 429.</summary>
    public int ThrottleStatusCode { get; set; } = 400;

    /// <summary><c>x-acs-retry-after</c> in milliseconds; null: the time left in the current second.</summary>
    public int? RetryAfterMilliseconds { get; set; }

    /// <summary>Share (0–1) of requests answered 503 <c>ServiceUnavailable</c>.</summary>
    public double ServiceUnavailableRate { get; set; }

    /// <summary>Share (0–1) of requests that hang: no answer until the client gives up or <see cref="HangMilliseconds"/> pass.</summary>
    public double HangRate { get; set; }

    /// <summary>How long a hung request waits before the connection is dropped.</summary>
    public int HangMilliseconds { get; set; } = 120_000;

    /// <summary>Share (0–1) of successful answers whose JSON body is replaced by something that is not JSON.</summary>
    public double MalformedBodyRate { get; set; }

    /// <summary>Share (0–1) of successful answers whose JSON body is cut in half.</summary>
    public double TruncatedBodyRate { get; set; }

    /// <summary>
    /// How many requests meeting this profile fail with <see cref="FailStatusCode"/> / <see cref="FailErrorCode"/>
    /// before requests pass again (counted from when the profile is set; "a few 503s, then OSS is back").
    /// Null: none. A deterministic alternative to <see cref="ServiceUnavailableRate"/>.
    /// </summary>
    public int? FailCount { get; set; }

    /// <summary>The status of a <see cref="FailCount"/> failure (400–599).</summary>
    public int FailStatusCode { get; set; } = 503;

    /// <summary>The error code of a <see cref="FailCount"/> failure, e.g. <c>ServiceUnavailable</c>, OSS's <c>QpsLimitExceeded</c> (429).</summary>
    public string FailErrorCode { get; set; } = "ServiceUnavailable";

    /// <summary>
    /// Only requests whose target (raw path and query) contains this text meet the profile; the others pass
    /// untouched. Null: every request of the action. Lets one OSS key fail, e.g. <c>"/index/"</c> for the index
    /// entries of the report store.
    /// </summary>
    public string? TargetContains { get; set; }

    private int failed;

    /// <summary>Whether the profile applies to a request with this raw target.</summary>
    internal bool Matches(string rawTarget) =>
        TargetContains is not { Length: > 0 } text || rawTarget.Contains(text, StringComparison.Ordinal);

    /// <summary>Counts one request against <see cref="FailCount"/>; true while it is not used up.</summary>
    internal bool TakeFailure() => FailCount is { } count && Interlocked.Increment(ref failed) <= count;

    internal void Validate(string action)
    {
        static void Require(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        var at = $"faults[{action}]";
        Require(LatencyMilliseconds >= 0, $"{at}.latencyMilliseconds must not be negative");
        Require(JitterMilliseconds >= 0, $"{at}.jitterMilliseconds must not be negative");
        Require(QpsLimit is null or >= 0, $"{at}.qpsLimit must not be negative");
        Require(ThrottleStatusCode is 400 or 429, $"{at}.throttleStatusCode must be 400 or 429");
        Require(RetryAfterMilliseconds is null or >= 0, $"{at}.retryAfterMilliseconds must not be negative");
        Require(HangMilliseconds >= 0, $"{at}.hangMilliseconds must not be negative");
        Require(FailCount is null or >= 0, $"{at}.failCount must not be negative");
        Require(FailStatusCode is >= 400 and <= 599, $"{at}.failStatusCode must be between 400 and 599");
        Require(!string.IsNullOrWhiteSpace(FailErrorCode), $"{at}.failErrorCode must not be empty");
        foreach (var (name, rate) in new[]
                 {
                     ("serviceUnavailableRate", ServiceUnavailableRate), ("hangRate", HangRate),
                     ("malformedBodyRate", MalformedBodyRate), ("truncatedBodyRate", TruncatedBodyRate),
                 })
        {
            Require(rate is >= 0 and <= 1, $"{at}.{name} must be between 0 and 1");
        }
    }
}

/// <summary>
/// The faults in force, per API action (<c>DescribeKey</c>, <c>DescribeClustersV1</c>, …); <see cref="AllActions"/>
/// applies to actions without their own profile. Safe to change while requests are served.
/// </summary>
public sealed class FaultSettings
{
    /// <summary>The key of the profile that applies to every action without its own.</summary>
    public const string AllActions = "*";

    private readonly ConcurrentDictionary<string, FaultProfile> _profiles = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (long Second, int Count)> _windows = new(StringComparer.Ordinal);
    private readonly Lock _randomGate = new();
    private Random _random;

    internal FaultSettings(int seed) => _random = new Random(seed);

    /// <summary>Sets (replaces) the profile of one action, or of <see cref="AllActions"/>.</summary>
    public void Set(string action, FaultProfile profile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        ArgumentNullException.ThrowIfNull(profile);
        profile.Validate(action);
        _profiles[action] = profile;
    }

    /// <summary>Replaces every profile at once.</summary>
    public void SetAll(IReadOnlyDictionary<string, FaultProfile> profiles)
    {
        ArgumentNullException.ThrowIfNull(profiles);
        foreach (var (action, profile) in profiles)
        {
            profile.Validate(action);
        }

        _profiles.Clear();
        foreach (var (action, profile) in profiles)
        {
            _profiles[action] = profile;
        }
    }

    /// <summary>Removes the profile of one action; true if there was one.</summary>
    public bool Remove(string action) => _profiles.TryRemove(action, out _);

    /// <summary>No faults anywhere; the throttling windows start over.</summary>
    public void Clear()
    {
        _profiles.Clear();
        _windows.Clear();
    }

    /// <summary>Restarts the random generator, so the same requests meet the same faults again.</summary>
    public void Reseed(int seed)
    {
        lock (_randomGate)
        {
            _random = new Random(seed);
        }
    }

    /// <summary>The profiles in force.</summary>
    public IReadOnlyDictionary<string, FaultProfile> Snapshot() => new Dictionary<string, FaultProfile>(_profiles, StringComparer.Ordinal);

    /// <summary>The profile that applies to <paramref name="action"/>, if any.</summary>
    public FaultProfile? For(string action) =>
        _profiles.TryGetValue(action, out var own) ? own : _profiles.TryGetValue(AllActions, out var all) ? all : null;

    /// <summary>The profile that applies to <paramref name="action"/> at <paramref name="rawTarget"/> (its <see cref="FaultProfile.TargetContains"/> met), if any.</summary>
    public FaultProfile? For(string action, string rawTarget) => For(action) is { } profile && profile.Matches(rawTarget) ? profile : null;

    internal bool IsEmpty => _profiles.IsEmpty;

    internal double NextDouble()
    {
        lock (_randomGate)
        {
            return _random.NextDouble();
        }
    }

    internal int NextInt(int maxInclusive)
    {
        lock (_randomGate)
        {
            return _random.Next(maxInclusive + 1);
        }
    }

    /// <summary>Counts one request in the current one-second window; returns the ms to wait when over the limit.</summary>
    internal int? Throttle(string action, FaultProfile profile, DateTimeOffset now)
    {
        if (profile.QpsLimit is not { } limit)
        {
            return null;
        }

        var second = now.ToUnixTimeSeconds();
        var window = _windows.AddOrUpdate(
            action,
            _ => (second, 1),
            (_, w) => w.Second == second ? (second, w.Count + 1) : (second, 1));
        if (window.Count <= limit)
        {
            return null;
        }

        return profile.RetryAfterMilliseconds ?? Math.Max(1, 1000 - now.Millisecond);
    }
}
