using AckFc.AlibabaCloud.Credentials;

namespace AckFc.AlibabaCloud.Sts;

/// <summary>
/// What <c>AssumeRole</c> returned. <see cref="Credentials"/> holds the temporary key pair and the security token;
/// its <see cref="AlibabaCloudCredentials.ToString"/> masks both, so formatting this record leaks neither.
/// </summary>
/// <param name="Credentials">The temporary AccessKeyId, AccessKeySecret and SecurityToken, ready to sign CS/KMS/OSS calls.</param>
/// <param name="Expiration">When STS stops accepting them (UTC).</param>
/// <param name="User">Who the session is: <c>AssumedRoleUser</c>.</param>
/// <param name="RequestId">STS's request id.</param>
public sealed record AssumedRole(AlibabaCloudCredentials Credentials, DateTimeOffset Expiration, AssumedRoleUser User, string? RequestId);

/// <summary><c>AssumedRoleUser</c>: the session's id (<c>{roleId}:{sessionName}</c>) and ARN.</summary>
public sealed record AssumedRoleUser(string AssumedRoleId, string Arn);
