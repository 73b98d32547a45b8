using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Tests.TestDoubles;
using Microsoft.Extensions.DependencyInjection;

namespace AckFc.AlibabaCloud.Tests.Credentials;

public sealed class DefaultCredentialsProviderTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ackfc-creds-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task GetCredentials_AllThreeSources_InvocationHeadersWin()
    {
        await using var harness = Create(withEnvironment: true, withFile: true);
        harness.Invocation.TrySetFromHeaders("hdr-id", "hdr-secret", "hdr-token");

        var credentials = Provider(harness).GetCredentials();

        Assert.Equal(("hdr-id", "hdr-secret", "hdr-token"), (credentials.AccessKeyId, credentials.AccessKeySecret, credentials.SecurityToken));
        Assert.Equal(InvocationCredentials.HeaderSource, credentials.Source);
    }

    [Fact]
    public async Task GetCredentials_EnvironmentAndFile_EnvironmentWins()
    {
        await using var harness = Create(withEnvironment: true, withFile: true);

        var credentials = Provider(harness).GetCredentials();

        Assert.Equal(("env-id", "env-secret", "env-token"), (credentials.AccessKeyId, credentials.AccessKeySecret, credentials.SecurityToken));
        Assert.Equal("environment", credentials.Source);
    }

    [Fact]
    public async Task GetCredentials_OnlyFile_NamedProfileRead()
    {
        await using var harness = Create(withEnvironment: false, withFile: true, profile: "ops");

        var credentials = Provider(harness).GetCredentials();

        Assert.Equal(("ops-id", "ops-secret", null), (credentials.AccessKeyId, credentials.AccessKeySecret, credentials.SecurityToken));
        Assert.Equal("credentials file", credentials.Source);
    }

    [Fact]
    public async Task GetCredentials_OnlyFile_DefaultProfileWhenNoneNamed()
    {
        await using var harness = Create(withEnvironment: false, withFile: true);

        Assert.Equal("file-id", Provider(harness).GetCredentials().AccessKeyId);
    }

    [Fact]
    public async Task GetCredentials_NoSource_ErrorNamesEverySourceTried()
    {
        await using var harness = Create(withEnvironment: false, withFile: false);

        var error = Assert.Throws<CredentialsNotFoundException>(() => Provider(harness).GetCredentials());

        Assert.Contains("x-fc-access-key-id", error.Message, StringComparison.Ordinal);
        Assert.Contains("ALIBABA_CLOUD_ACCESS_KEY_ID", error.Message, StringComparison.Ordinal);
        Assert.Contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET", error.Message, StringComparison.Ordinal);
        Assert.Contains("credentials file", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<InvalidOperationException>(error);
    }

    [Fact]
    public async Task GetCredentials_OnlyKeyIdInEnvironment_ErrorNamesMissingSecretVariable()
    {
        await using var harness = Create(withEnvironment: false, withFile: true, adjust: s => s["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "env-id");

        var error = Assert.Throws<CredentialsNotFoundException>(() => Provider(harness).GetCredentials());

        Assert.Contains("ALIBABA_CLOUD_ACCESS_KEY_SECRET is not", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCredentials_ProfileOfOtherType_ClearErrorWithoutSecrets()
    {
        await using var harness = Create(withEnvironment: false, withFile: true, profile: "role");

        var error = Assert.Throws<CredentialsNotFoundException>(() => Provider(harness).GetCredentials());

        Assert.Contains("'ecs_ram_role'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("role-secret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetClusterAsync_NoCredentials_ThrowsBeforeAnyRequest()
    {
        await using var server = await AcsTestServer.StartAsync();
        await using var harness = ClientHarness.Create(server, s =>
        {
            s.Remove("ALIBABA_CLOUD_ACCESS_KEY_ID");
            s.Remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
        });

        await Assert.ThrowsAsync<CredentialsNotFoundException>(() => harness.Ack.GetClusterAsync(ClientHarness.Region, "c-1"));

        Assert.Empty(server.Requests);
    }

    [Fact]
    public void TrySetFromHeaders_SecretMissing_LeavesNoCredentials()
    {
        var invocation = new InvocationCredentials();

        Assert.False(invocation.TrySetFromHeaders("id", " ", null));
        Assert.Null(invocation.Current);
    }

    [Fact]
    public void ToString_StsCredentials_RedactsSecretAndToken()
    {
        var credentials = new AlibabaCloudCredentials("LTAIvisible", "very-secret-value", "token-value-xyz", "environment");

        var text = credentials.ToString();

        Assert.Contains("LTAIvisible", text, StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("token-value-xyz", text, StringComparison.Ordinal);
    }

    private static ICredentialsProvider Provider(ClientHarness harness) => harness.Services.GetRequiredService<ICredentialsProvider>();

    private ClientHarness Create(bool withEnvironment, bool withFile, string? profile = null, Action<Dictionary<string, string?>>? adjust = null)
    {
        var file = Path.Combine(_directory, "credentials");
        if (withFile)
        {
            File.WriteAllText(file, """
                ; comment
                [default]
                type = access_key
                access_key_id = file-id
                access_key_secret = file-secret

                [ops]
                access_key_id = "ops-id"
                access_key_secret = ops-secret

                [role]
                type = ecs_ram_role
                role_name = worker
                access_key_secret = role-secret
                """);
        }

        return ClientHarness.Create("http://127.0.0.1:9", s =>
        {
            s["ALIBABA_CLOUD_CREDENTIALS_FILE"] = file;
            if (withEnvironment)
            {
                s["ALIBABA_CLOUD_ACCESS_KEY_ID"] = "env-id";
                s["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = "env-secret";
                s["ALIBABA_CLOUD_SECURITY_TOKEN"] = "env-token";
            }
            else
            {
                s.Remove("ALIBABA_CLOUD_ACCESS_KEY_ID");
                s.Remove("ALIBABA_CLOUD_ACCESS_KEY_SECRET");
            }

            if (profile is not null)
            {
                s["ALIBABA_CLOUD_PROFILE"] = profile;
            }

            adjust?.Invoke(s);
        });
    }
}
