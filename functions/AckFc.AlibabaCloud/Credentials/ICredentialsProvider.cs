namespace AckFc.AlibabaCloud.Credentials;

/// <summary>Where the clients get the credentials to sign a call with. Asked on every call, so expiring STS tokens are never kept.</summary>
public interface ICredentialsProvider
{
    /// <summary>The credentials to use now.</summary>
    /// <exception cref="CredentialsNotFoundException">No source had credentials.</exception>
    AlibabaCloudCredentials GetCredentials();
}

/// <summary>
/// The credentials Function Compute handed to the current invocation (<c>x-fc-access-key-id</c>,
/// <c>x-fc-access-key-secret</c>, <c>x-fc-security-token</c>). Registered scoped: the host sets it once per
/// invocation scope, before any client is used; it wins over every other source.
/// </summary>
public sealed class InvocationCredentials
{
    /// <summary>The <see cref="AlibabaCloudCredentials.Source"/> of credentials set from the headers.</summary>
    public const string HeaderSource = "x-fc-access-key headers";

    /// <summary>The invocation's credentials, or null when the invocation carried none.</summary>
    public AlibabaCloudCredentials? Current { get; set; }

    /// <summary>
    /// Sets <see cref="Current"/> from the three <c>x-fc-*</c> header values when the key id and secret are
    /// both present; returns whether it did.
    /// </summary>
    public bool TrySetFromHeaders(string? accessKeyId, string? accessKeySecret, string? securityToken)
    {
        if (string.IsNullOrWhiteSpace(accessKeyId) || string.IsNullOrWhiteSpace(accessKeySecret))
        {
            return false;
        }

        Current = new AlibabaCloudCredentials(accessKeyId.Trim(), accessKeySecret.Trim(), securityToken?.Trim(), HeaderSource);
        return true;
    }
}

/// <summary>No source had usable credentials; the message names every source tried (never a secret).</summary>
public sealed class CredentialsNotFoundException : InvalidOperationException
{
    public CredentialsNotFoundException()
    {
    }

    public CredentialsNotFoundException(string message)
        : base(message)
    {
    }

    public CredentialsNotFoundException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
