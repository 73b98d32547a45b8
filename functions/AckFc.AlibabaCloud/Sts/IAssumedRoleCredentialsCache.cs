namespace AckFc.AlibabaCloud.Sts;

/// <summary>
/// Credentials of a role in a member account, assumed once and reused until shortly before they expire
/// (<see cref="AssumedRoleCredentialsCache.RefreshMargin"/>), then assumed again. Callers asking for the same
/// (account, role) at the same time share one <c>AssumeRole</c> call. A refusal (<c>NoPermission</c>,
/// <c>EntityNotExist.Role</c>) is remembered briefly (<see cref="AssumedRoleCredentialsCache.RefusalMemory"/>), so the
/// regions of an account that cannot be read cost one call, not one each; throttling and transient failures are not.
/// Scoped: one invocation, one sweep, so every session a cache opens names the sweep that uses it.
/// </summary>
public interface IAssumedRoleCredentialsCache
{
    /// <summary>Credentials of <paramref name="roleName"/> in <paramref name="accountId"/>, valid for at least a little while.</summary>
    /// <param name="accountId">The member account.</param>
    /// <param name="roleName">The role to assume there (<c>ACKFC_MEMBER_ROLE</c>).</param>
    /// <param name="session">Where to call STS and what to call the session; used when a call is needed.</param>
    /// <param name="cancellationToken">Stops this caller waiting; a call shared with others goes on.</param>
    /// <exception cref="AlibabaCloudException">STS refused or failed.</exception>
    Task<AssumedRole> GetAsync(string accountId, string roleName, AssumeRoleSession session, CancellationToken cancellationToken = default);
}

/// <summary>How sessions are opened: the STS endpoint's region, the session name and the lifetime asked for.</summary>
/// <param name="RegionId">Region of the STS endpoint (the function's own).</param>
/// <param name="SessionName">See <see cref="StsRules.SessionNameForSweep"/>.</param>
/// <param name="Duration">Lifetime asked for; <see cref="DefaultDuration"/> when null.</param>
public sealed record AssumeRoleSession(string RegionId, string SessionName, TimeSpan? Duration = null)
{
    /// <summary>An hour: the longest <see cref="StsRules.MaxDuration"/> allows, and the credentials are renewed when a sweep outlasts it.</summary>
    public static readonly TimeSpan DefaultDuration = StsRules.MaxDuration;

    /// <summary>The session of sweep <paramref name="sweepId"/>, named <c>ackfc-{sweepId}</c> (see <see cref="StsRules.SessionNameForSweep"/>).</summary>
    public static AssumeRoleSession ForSweep(string regionId, string? sweepId, TimeSpan? duration = null) =>
        new(regionId, StsRules.SessionNameForSweep(sweepId), duration);
}
