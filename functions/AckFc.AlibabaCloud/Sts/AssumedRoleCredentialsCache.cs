using Microsoft.Extensions.Logging;

namespace AckFc.AlibabaCloud.Sts;

/// <inheritdoc cref="IAssumedRoleCredentialsCache"/>
internal sealed partial class AssumedRoleCredentialsCache(
    IStsClient sts, TimeProvider time, ILogger<AssumedRoleCredentialsCache> logger) : IAssumedRoleCredentialsCache
{
    /// <summary>
    /// Credentials are renewed this long before their <c>Expiration</c> (or at half their life, if that comes first),
    /// so a call signed with them cannot arrive after they lapsed, even after a retry or two.
    /// </summary>
    public static readonly TimeSpan RefreshMargin = TimeSpan.FromMinutes(5);

    /// <summary>How long a refusal is answered from memory before STS is asked again.</summary>
    public static readonly TimeSpan RefusalMemory = TimeSpan.FromMinutes(1);

    private readonly Lock _gate = new();
    private readonly Dictionary<(string AccountId, string RoleName), Entry> _entries = [];

    public Task<AssumedRole> GetAsync(string accountId, string roleName, AssumeRoleSession session, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(session);
        var roleArn = StsRules.RoleArn(accountId, roleName);
        StsRules.EnsureValidSessionName(session.SessionName, nameof(session));
        AlibabaCloudRegion.EnsureValid(session.RegionId, nameof(session));
        var duration = session.Duration ?? AssumeRoleSession.DefaultDuration;
        StsRules.EnsureValidDuration(duration, nameof(session));

        Entry entry;
        lock (_gate)
        {
            var key = (accountId, roleName);
            if (!_entries.TryGetValue(key, out entry!) || !entry.Usable(time.GetUtcNow()))
            {
                entry = new Entry();
                var fresh = entry;
                entry.Call = new Lazy<Task<AssumedRole>>(() => AssumeAsync(fresh, roleArn, session, duration));
                _entries[key] = entry;
            }
        }

        // Outside the lock: the first caller starts the call, the others find it running.
        return entry.Call.Value.WaitAsync(cancellationToken);
    }

    // The shared call ignores the callers' tokens: one caller giving up must not fail the others waiting on it. The
    // transport's own timeouts bound it.
    private async Task<AssumedRole> AssumeAsync(Entry entry, string roleArn, AssumeRoleSession session, TimeSpan duration)
    {
        var asked = time.GetUtcNow();
        try
        {
            var assumed = await sts.AssumeRoleAsync(session.RegionId, roleArn, session.SessionName, duration, CancellationToken.None)
                .ConfigureAwait(false);
            var life = assumed.Expiration - asked;
            var margin = life / 2 < RefreshMargin ? life / 2 : RefreshMargin;
            entry.RefreshAt = assumed.Expiration - margin;
            LogAssumed(logger, roleArn, session.SessionName, assumed.Expiration, assumed.RequestId);
            return assumed;
        }
        catch (AlibabaCloudException e) when (e.Kind is AlibabaCloudErrorKind.ClientError or AlibabaCloudErrorKind.NotFound)
        {
            entry.RefusedUntil = time.GetUtcNow() + RefusalMemory;
            LogRefused(logger, roleArn, e.Code, e.StatusCode, e.RequestId);
            throw;
        }
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information,
        Message = "Assumed {RoleArn} as session {SessionName}, valid until {Expiration:O}, request id {RequestId}")]
    private static partial void LogAssumed(ILogger logger, string roleArn, string sessionName, DateTimeOffset expiration, string? requestId);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning,
        Message = "AssumeRole of {RoleArn} refused: {Code} (HTTP {Status}), request id {RequestId}")]
    private static partial void LogRefused(ILogger logger, string roleArn, string code, int? status, string? requestId);

    private sealed class Entry
    {
        public Lazy<Task<AssumedRole>> Call { get; set; } = null!;

        public DateTimeOffset RefreshAt { get; set; } = DateTimeOffset.MinValue;

        public DateTimeOffset RefusedUntil { get; set; } = DateTimeOffset.MinValue;

        /// <summary>Whether a caller arriving at <paramref name="now"/> may take this entry's call.</summary>
        public bool Usable(DateTimeOffset now)
        {
            if (!Call.IsValueCreated)
            {
                return true;
            }

            var task = Call.Value;
            return task.Status switch
            {
                TaskStatus.RanToCompletion => now < RefreshAt,
                TaskStatus.Faulted or TaskStatus.Canceled => now < RefusedUntil,
                _ => true, // still running: share it
            };
        }
    }
}
