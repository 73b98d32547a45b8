using Microsoft.Extensions.Configuration;

namespace AckFc.AlibabaCloud.Credentials;

/// <summary>
/// The chain, first match wins: the invocation's <c>x-fc-access-key-*</c> headers, then
/// <c>ALIBABA_CLOUD_ACCESS_KEY_ID</c>/<c>_SECRET</c>/<c>_SECURITY_TOKEN</c>, then an <c>access_key</c> profile of the
/// INI credentials file. Nothing is cached here: the scope is one invocation and the file reader checks freshness.
/// </summary>
internal sealed class DefaultCredentialsProvider(
    InvocationCredentials invocation, IConfiguration configuration, CredentialsFileReader fileReader) : ICredentialsProvider
{
    public const string AccessKeyIdVariable = EnvironmentCredentials.AccessKeyIdVariable;
    public const string AccessKeySecretVariable = EnvironmentCredentials.AccessKeySecretVariable;
    public const string CredentialsFileVariable = "ALIBABA_CLOUD_CREDENTIALS_FILE";
    public const string ProfileVariable = EnvironmentCredentials.ProfileVariable;

    public AlibabaCloudCredentials GetCredentials()
    {
        if (invocation.Current is { } current)
        {
            return current;
        }

        if (EnvironmentCredentials.Read(name => configuration[name]) is { } fromEnvironment)
        {
            return fromEnvironment;
        }

        var path = Setting(CredentialsFileVariable) ?? DefaultFilePath();
        var profile = Setting(ProfileVariable) ?? "default";
        if (fileReader.Read(path, profile) is { } fromFile)
        {
            return fromFile;
        }

        throw new CredentialsNotFoundException(
            "No Alibaba Cloud credentials found. Tried, in order: the invocation's x-fc-access-key-id/x-fc-access-key-secret " +
            $"headers (absent); the environment variables {AccessKeyIdVariable} and {AccessKeySecretVariable} (not set); " +
            $"the credentials file '{path}' (profile '{profile}': file or profile not found; " +
            $"{CredentialsFileVariable} and {ProfileVariable} choose another).");
    }

    private string? Setting(string name) => configuration[name] is { Length: > 0 } value && !string.IsNullOrWhiteSpace(value)
        ? value.Trim()
        : null;

    private static string DefaultFilePath() =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".alibabacloud", "credentials");
}
