namespace AckFc.AlibabaCloud.Credentials;

/// <summary>
/// An access key pair, with an STS token when the pair is temporary. <see cref="ToString"/> never shows the
/// secret or the token, so a credential that reaches a log or an exception message leaks nothing.
/// </summary>
public sealed class AlibabaCloudCredentials
{
    public AlibabaCloudCredentials(string accessKeyId, string accessKeySecret, string? securityToken = null, string source = "explicit")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeyId);
        ArgumentException.ThrowIfNullOrWhiteSpace(accessKeySecret);
        AccessKeyId = accessKeyId;
        AccessKeySecret = accessKeySecret;
        SecurityToken = string.IsNullOrEmpty(securityToken) ? null : securityToken;
        Source = source;
    }

    public string AccessKeyId { get; }

    public string AccessKeySecret { get; }

    /// <summary>The STS token; null for a long-term access key.</summary>
    public string? SecurityToken { get; }

    /// <summary>Where the credentials came from (<c>x-fc-access-key headers</c>, <c>environment</c>, <c>credentials file</c>).</summary>
    public string Source { get; }

    public override string ToString() =>
        $"AlibabaCloudCredentials {{ AccessKeyId = {AccessKeyId}, AccessKeySecret = ***, SecurityToken = {(SecurityToken is null ? "none" : "***")}, Source = {Source} }}";
}
