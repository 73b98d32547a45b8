using System.Net;
using System.Text;
using AckFc.Local.Emulator;
using AckFc.Local.Runner;

namespace AckFc.Local.Tests;

/// <summary>
/// <c>sweep --cloud</c> against the emulated region (<c>--endpoint</c>): the real host, real signatures, credentials from
/// an aliyun CLI configuration the test writes, in each mode, and the errors a user meets first.
/// </summary>
public sealed class CloudSweepCommandTests : IAsyncLifetime, IDisposable
{
    private const string Token = "emulated-sts-token-of-the-test+/=";
    private readonly string directory = Path.Combine(Path.GetTempPath(), "ackfc-cloud-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, string?> environment = new(StringComparer.Ordinal);
    private RunningEmulator emulator = null!;
    private EmulatorCredential tokenKey = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(directory);
        var options = new EmulatorOptions { Fleet = DemoFleet.Create() };
        foreach (var credential in options.ResolveCredentials())
        {
            options.Credentials.Add(credential);
        }

        // A temporary key: the emulator checks its token, so a profile's token must reach every request.
        tokenKey = new EmulatorCredential("STS.cloud-sweep-test", "temporary-secret-of-the-test-0123", Token);
        options.Credentials.Add(tokenKey);
        emulator = await EmulatorHost.StartAsync(options);
    }

    public async Task DisposeAsync() => await emulator.DisposeAsync();

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Config(string json)
    {
        var path = Path.Combine(directory, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    private async Task<(int Code, string Out, string Err)> RunAsync(string config, params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        string[] all = ["--cloud", "--cli-config", config, "--endpoint", emulator.Endpoint, "--regions", "cn-hangzhou", "--report-dir", Path.Combine(directory, "reports"), .. args];
        var code = await CloudSweepCommand.RunAsync(all, stdout, stderr, name => environment.GetValueOrDefault(name), null, CancellationToken.None);
        var (output, errors) = (stdout.ToString(), stderr.ToString());
        foreach (var secret in new[] { emulator.Credential.AccessKeySecret, tokenKey.AccessKeySecret, Token })
        {
            Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, errors, StringComparison.Ordinal);
        }

        return (code, output, errors);
    }

    private static void AssertSwept((int Code, string Out, string Err) run)
    {
        // The demo fleet has failing clusters: the sweep completes (0) and the table shows them.
        Assert.True(run.Code == 0, run.Err);
        Assert.Contains("c-demo-hz-analytics", run.Out, StringComparison.Ordinal);
        Assert.Contains("ACKFC-ENC-001", run.Out, StringComparison.Ordinal);
        Assert.Contains("report.html", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AkProfile_SweepsThroughTheHost_ReadOnly()
    {
        var config = Config($$"""
            {"current": "other", "profiles": [
              {"name": "other", "mode": "AK", "access_key_id": "LTAI-not-this", "access_key_secret": "x"},
              {"name": "emu", "mode": "AK", "access_key_id": "{{emulator.Credential.AccessKeyId}}", "access_key_secret": "{{emulator.Credential.AccessKeySecret}}", "region_id": "cn-hangzhou"}]}
            """);

        var run = await RunAsync(config, "--profile", "emu");

        AssertSwept(run);
        Assert.Contains($"Credentials: aliyun CLI profile 'emu' (AK) of {config}", run.Out, StringComparison.Ordinal);
        Assert.Equal(0, emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.Contains(emulator.State.GetCalls(), c => c.Action == "DescribeClustersV1" && c.AccessKeyId == emulator.Credential.AccessKeyId);
    }

    [Fact]
    public async Task StsTokenProfile_TheCurrentOne_TokenSentWithEveryCall()
    {
        var config = Config($$"""
            {"current": "temp", "profiles": [{"name": "temp", "mode": "StsToken", "access_key_id": "{{tokenKey.AccessKeyId}}", "access_key_secret": "{{tokenKey.AccessKeySecret}}", "sts_token": "{{Token}}"}]}
            """);

        var run = await RunAsync(config);

        AssertSwept(run);
        Assert.Contains("aliyun CLI profile 'temp' (StsToken)", run.Out, StringComparison.Ordinal);
        Assert.All(emulator.State.GetCalls().Where(c => c.Product is "CS" or "KMS"), c => Assert.Equal(tokenKey.AccessKeyId, c.AccessKeyId));
    }

    [Fact]
    public async Task StsTokenProfile_WrongToken_TheSweepReportsTheRefusal()
    {
        var config = Config($$"""
            {"current": "temp", "profiles": [{"name": "temp", "mode": "StsToken", "access_key_id": "{{tokenKey.AccessKeyId}}", "access_key_secret": "{{tokenKey.AccessKeySecret}}", "sts_token": "not-the-token"}]}
            """);

        var run = await RunAsync(config);

        // Every region unreadable: the report marks it unknown and the command fails visibly.
        Assert.Equal(1, run.Code);
        Assert.Contains("incomplete", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EcsRamRoleProfile_CredentialsFromTheMetadataService()
    {
        using var metadata = new HttpListener();
        var port = FreePort();
        metadata.Prefixes.Add($"http://127.0.0.1:{port}/");
        metadata.Start();
        var seen = new List<string>();
        var serving = Task.Run(async () =>
        {
            while (metadata.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await metadata.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                var path = context.Request.Url!.AbsolutePath;
                lock (seen)
                {
                    seen.Add($"{context.Request.HttpMethod} {path} {context.Request.Headers["X-aliyun-ecs-metadata-token"]}");
                }

                var body = path switch
                {
                    "/latest/api/token" => "imds-session-token",
                    "/latest/meta-data/ram/security-credentials/" => "ackfc-laptop-role\n",
                    "/latest/meta-data/ram/security-credentials/ackfc-laptop-role" =>
                        $$"""{"Code":"Success","AccessKeyId":"{{tokenKey.AccessKeyId}}","AccessKeySecret":"{{tokenKey.AccessKeySecret}}","SecurityToken":"{{Token}}","Expiration":"2099-01-01T00:00:00Z"}""",
                    _ => null,
                };
                context.Response.StatusCode = body is null ? 404 : 200;
                var bytes = Encoding.UTF8.GetBytes(body ?? "not found");
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
        environment["ACKFC_ECS_METADATA_ENDPOINT"] = $"http://127.0.0.1:{port}";
        var config = Config("""{"current": "ecs", "profiles": [{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": ""}]}""");

        var run = await RunAsync(config);
        metadata.Stop();
        await serving;

        AssertSwept(run);
        Assert.Contains("role ackfc-laptop-role of this ECS instance", run.Out, StringComparison.Ordinal);
        Assert.Equal(
            ["PUT /latest/api/token ", "GET /latest/meta-data/ram/security-credentials/ imds-session-token", "GET /latest/meta-data/ram/security-credentials/ackfc-laptop-role imds-session-token"],
            seen);
    }

    [Fact]
    public async Task RamRoleArnProfile_AssumesTheMemberRoleOnce_SweepsThatMembersClustersOnly()
    {
        await using var organisation = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.CreateOrganisation() });
        var role = $"acs:ram::{DemoFleet.MemberAccountId}:role/{DemoFleet.MemberRole}";
        var config = Config($$"""
            {"current": "member", "profiles": [{"name": "member", "mode": "RamRoleArn", "access_key_id": "{{organisation.Credential.AccessKeyId}}",
              "access_key_secret": "{{organisation.Credential.AccessKeySecret}}", "ram_role_arn": "{{role}}", "ram_session_name": "ackfc-laptop", "expired_seconds": 900}]}
            """);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CloudSweepCommand.RunAsync(
            ["--cloud", "--cli-config", config, "--endpoint", organisation.Endpoint, "--regions", "cn-hangzhou,cn-shanghai", "--report-dir", Path.Combine(directory, "reports")],
            stdout, stderr, name => environment.GetValueOrDefault(name), null, CancellationToken.None);

        Assert.True(code == 0, stderr.ToString());
        var output = stdout.ToString();
        Assert.Contains($"aliyun CLI profile 'member' (RamRoleArn) of {config}, assumed {role}", output, StringComparison.Ordinal);
        foreach (var member in DemoFleet.MemberScenarios)
        {
            Assert.Contains(member.ClusterId, output, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("c-demo-hz-analytics", output, StringComparison.Ordinal);
        var calls = organisation.State.GetCalls();
        var assume = Assert.Single(calls, c => c.Action == "AssumeRole");
        Assert.Equal(organisation.Credential.AccessKeyId, assume.AccessKeyId);
        // Every cluster and key read is signed with the member's temporary key, not the profile's own.
        Assert.All(calls.Where(c => c.Product is "CS" or "KMS"), c => Assert.NotEqual(organisation.Credential.AccessKeyId, c.AccessKeyId));
        Assert.DoesNotContain(organisation.Credential.AccessKeySecret, output + stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RamRoleArnProfile_MemberWithoutTheRole_Exit2WithStsCode()
    {
        await using var organisation = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.CreateOrganisation() });
        var config = Config($$"""
            {"current": "sandbox", "profiles": [{"name": "sandbox", "mode": "RamRoleArn", "access_key_id": "{{organisation.Credential.AccessKeyId}}",
              "access_key_secret": "{{organisation.Credential.AccessKeySecret}}", "ram_role_arn": "acs:ram::{{DemoFleet.MemberWithoutRoleAccountId}}:role/{{DemoFleet.MemberRole}}"}]}
            """);
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CloudSweepCommand.RunAsync(
            ["--cloud", "--cli-config", config, "--endpoint", organisation.Endpoint, "--regions", "cn-hangzhou"],
            stdout, stderr, name => environment.GetValueOrDefault(name), null, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains("Cannot sweep:", stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("EntityNotExist.Role", stderr.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(organisation.State.GetCalls(), c => c.Product is "CS" or "KMS");
    }

    [Fact]
    public async Task EnvironmentKeys_WinWhenNoProfileIsGiven()
    {
        environment["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId;
        environment["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.Credential.AccessKeySecret;

        var run = await RunAsync(Config("""{"profiles": [{"name": "default", "mode": "AK", "access_key_id": "LTAI-file", "access_key_secret": "x"}]}"""));

        AssertSwept(run);
        Assert.Contains("Credentials: the environment (ALIBABA_CLOUD_ACCESS_KEY_ID)", run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingProfile_Exit2NamingTheProfilesThereAre_NothingCalled()
    {
        var run = await RunAsync(Config("""{"profiles": [{"name": "default", "mode": "AK", "access_key_id": "a", "access_key_secret": "b"}, {"name": "staging", "mode": "AK", "access_key_id": "a", "access_key_secret": "b"}]}"""), "--profile", "prod");

        Assert.Equal(2, run.Code);
        Assert.Contains("has no profile 'prod'; it has: default, staging.", run.Err, StringComparison.Ordinal);
        Assert.Empty(emulator.State.GetCalls());
    }

    [Fact]
    public async Task MalformedConfig_Exit2WithThePositionNotTheText()
    {
        var run = await RunAsync(Config($$"""{"profiles": [{"name": "emu", "access_key_secret": "{{emulator.Credential.AccessKeySecret}}",, }]}"""));

        Assert.Equal(2, run.Code);
        Assert.Contains("is not valid JSON (line 1,", run.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoConfigAndNoKeys_Exit2SayingWhatWasTried()
    {
        var run = await RunAsync(Path.Combine(directory, "absent.json"));

        Assert.Equal(2, run.Code);
        Assert.Contains("No credentials for the cloud sweep. Tried:", run.Err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--mode", "fix", "--mode must be report or remediate, not 'fix'.")]
    [InlineData("--bogus", "1", "Unknown option '--bogus' for sweep --cloud.")]
    public async Task BadOption_Exit2WithUsage(string option, string value, string expected)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await CloudSweepCommand.RunAsync(["--cloud", option, value], stdout, stderr, _ => null, null, CancellationToken.None);

        Assert.Equal(2, code);
        Assert.Contains(expected, stderr.ToString(), StringComparison.Ordinal);
        Assert.Contains("Usage: dotnet run --project functions/AckFc.Local -- sweep --cloud", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_ThroughTheSweepCommand()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        Assert.Equal(0, await LocalCommands.RunAsync(["sweep", "--cloud", "--help"], stdout, stderr, CancellationToken.None));
        Assert.Contains("--profile NAME", stdout.ToString(), StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
