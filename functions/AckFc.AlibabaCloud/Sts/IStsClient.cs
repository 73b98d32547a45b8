namespace AckFc.AlibabaCloud.Sts;

/// <summary>
/// The STS (2015-04-01) operation AckFc uses to read member accounts. Signed with the caller's credentials (the
/// invocation's, or the chain's). Every method throws <see cref="AlibabaCloudException"/> for an answer of the cloud
/// that is not a success: <c>EntityNotExist.Role</c> is <see cref="AlibabaCloudErrorKind.NotFound"/>,
/// <c>NoPermission</c> a <see cref="AlibabaCloudErrorKind.ClientError"/>, <c>Throttling.Api</c>
/// <see cref="AlibabaCloudErrorKind.Throttling"/>.
/// </summary>
public interface IStsClient
{
    /// <summary>
    /// <c>AssumeRole</c> at the STS endpoint of <paramref name="regionId"/>: temporary credentials of
    /// <paramref name="roleArn"/> (<c>acs:ram::{accountId}:role/{name}</c>, see <see cref="StsRules.RoleArn"/>).
    /// </summary>
    /// <param name="regionId">Picks the STS endpoint; the credentials work in every region.</param>
    /// <param name="roleArn">The role to assume.</param>
    /// <param name="sessionName">Shown in the member's ActionTrail; see <see cref="StsRules.EnsureValidSessionName"/>.</param>
    /// <param name="duration">Lifetime asked for, whole seconds within <see cref="StsRules.MinDuration"/>..<see cref="StsRules.MaxDuration"/>.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="ArgumentException">A parameter STS would refuse.</exception>
    Task<AssumedRole> AssumeRoleAsync(
        string regionId, string roleArn, string sessionName, TimeSpan duration, CancellationToken cancellationToken = default);
}
