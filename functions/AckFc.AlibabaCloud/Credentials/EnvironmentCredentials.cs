namespace AckFc.AlibabaCloud.Credentials;

/// <summary>
/// The SDKs' standard credential variables, read one way for the host's chain and for the local runner: both or
/// neither of the key pair, the STS token with them.
/// </summary>
public static class EnvironmentCredentials
{
    public const string AccessKeyIdVariable = "ALIBABA_CLOUD_ACCESS_KEY_ID";
    public const string AccessKeySecretVariable = "ALIBABA_CLOUD_ACCESS_KEY_SECRET";
    public const string SecurityTokenVariable = "ALIBABA_CLOUD_SECURITY_TOKEN";
    public const string ProfileVariable = "ALIBABA_CLOUD_PROFILE";
    public const string Source = "environment";

    /// <summary>The key pair (and token) the variables hold; null when neither half is set.</summary>
    /// <param name="setting">A variable's value; blank counts as not set.</param>
    /// <exception cref="CredentialsNotFoundException">One half of the pair is set and the other is not.</exception>
    public static AlibabaCloudCredentials? Read(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        string? Value(string name) => setting(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
        var id = Value(AccessKeyIdVariable);
        var secret = Value(AccessKeySecretVariable);
        if (id is not null && secret is not null)
        {
            return new AlibabaCloudCredentials(id, secret, Value(SecurityTokenVariable), Source);
        }

        if (id is not null || secret is not null)
        {
            var missing = id is null ? AccessKeyIdVariable : AccessKeySecretVariable;
            var present = id is null ? AccessKeySecretVariable : AccessKeyIdVariable;
            throw new CredentialsNotFoundException($"{present} is set but {missing} is not; set both or neither.");
        }

        return null;
    }
}
