using System.Text;
using AckFc.Core.Compliance;
using AckFc.Core.Signatures;
using AckFc.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Functions.Tests.Webhook;

public sealed class WebhookSecurityTests
{
    private const string Secret = "0123456789abcdef0123456789abcdef-rotation-a";
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 3, 0, 0, TimeSpan.Zero);

    private static WebhookAuthenticator Authenticator(FakeTimeProvider time, string secrets = "a:" + Secret + ",b:" + Secret + "-b") =>
        new(WebhookSettings.Options(new() { ["ACKFC_WEBHOOK_SECRETS"] = secrets }), time);

    [Fact]
    public async Task Verify_ContractExample_AcceptsTheDocumentedStringToSign()
    {
        var time = new FakeTimeProvider(Now);
        var body = Encoding.UTF8.GetBytes("""{"kms_key_id":"key-1"}""");
        var header = AckFcSignature.Create("a", Secret, Now.ToUnixTimeSeconds(), "PUT", "/clusters/c123456/kms?x=1", body);

        var (keyId, problem) = await Authenticator(time).VerifyAsync(header, "PUT", "/clusters/c123456/kms?x=1", body);

        Assert.Equal("a", keyId);
        Assert.Null(problem);
        Assert.StartsWith($"t={Now.ToUnixTimeSeconds()},kid=a,v1=", header, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_SecondKeyDuringRotation_Accepted()
    {
        var time = new FakeTimeProvider(Now);
        var header = AckFcSignature.Create("b", Secret + "-b", Now.ToUnixTimeSeconds(), "GET", "/clusters/c123456/kms", []);

        Assert.Equal("b", (await Authenticator(time).VerifyAsync(header, "GET", "/clusters/c123456/kms", [])).KeyId);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(-301)]
    public async Task Verify_OutsideWindow_Refused(int skew)
    {
        var time = new FakeTimeProvider(Now);
        var header = AckFcSignature.Create("a", Secret, Now.ToUnixTimeSeconds() + skew, "GET", "/p", []);

        Assert.Null((await Authenticator(time).VerifyAsync(header, "GET", "/p", [])).KeyId);
    }

    [Fact]
    public async Task Verify_TamperedPathOrBody_Refused()
    {
        var time = new FakeTimeProvider(Now);
        var auth = Authenticator(time);
        var header = AckFcSignature.Create("a", Secret, Now.ToUnixTimeSeconds(), "PUT", "/clusters/c123456/kms", "{}"u8);

        Assert.Null((await auth.VerifyAsync(header, "PUT", "/clusters/c999999/kms", "{}"u8)).KeyId);
        Assert.Null((await auth.VerifyAsync(header, "PUT", "/clusters/c123456/kms", "{ }"u8)).KeyId);
        Assert.Null((await auth.VerifyAsync(header, "POST", "/clusters/c123456/kms", "{}"u8)).KeyId);
    }

    [Fact]
    public async Task Verify_Replay_RefusedSecondTime()
    {
        var time = new FakeTimeProvider(Now);
        var auth = Authenticator(time);
        var header = AckFcSignature.Create("a", Secret, Now.ToUnixTimeSeconds(), "GET", "/p", []);

        Assert.Equal("a", (await auth.VerifyAsync(header, "GET", "/p", [])).KeyId);
        Assert.Contains("replay", (await auth.VerifyAsync(header, "GET", "/p", [])).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_ReplayMemoryFull_RefusesUntilSignaturesLeaveTheWindow()
    {
        var time = new FakeTimeProvider(Now);
        var options = WebhookSettings.Options(new()
        {
            ["ACKFC_WEBHOOK_SECRETS"] = "a:" + Secret,
            ["ACKFC_WEBHOOK_REPLAY_CAPACITY"] = "100",
        });
        var memory = new InMemoryReplayMemory(options, time);
        var auth = new WebhookAuthenticator(options, time, memory);
        string Sign(int i) => AckFcSignature.Create("a", Secret, time.GetUtcNow().ToUnixTimeSeconds(), "GET", $"/p{i}", []);

        for (var i = 0; i < 100; i++)
        {
            Assert.Equal("a", (await auth.VerifyAsync(Sign(i), "GET", $"/p{i}", [])).KeyId);
        }

        var full = await auth.VerifyAsync(Sign(100), "GET", "/p100", []);
        Assert.True(full.RetryLater);
        Assert.Null(full.KeyId);
        Assert.Equal(100, memory.Remembered);

        // A replay of a remembered signature is still a replay, not a capacity problem, once there is room again.
        var remembered = Sign(0);
        time.Advance(TimeSpan.FromSeconds(301));
        Assert.Equal("a", (await auth.VerifyAsync(Sign(101), "GET", "/p101", [])).KeyId);
        Assert.Equal(1, memory.Remembered);
        Assert.NotEqual("a", (await auth.VerifyAsync(remembered, "GET", "/p0", [])).KeyId);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("lots")]
    public void Options_BadReplayCapacity_FailsNamingTheVariable(string value)
    {
        var e = Assert.Throws<OptionsValidationException>(() => WebhookSettings.Options(new() { ["ACKFC_WEBHOOK_REPLAY_CAPACITY"] = value }));

        Assert.Contains("ACKFC_WEBHOOK_REPLAY_CAPACITY", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_NoSecretsConfigured_RefusesEverything()
    {
        var time = new FakeTimeProvider(Now);
        var auth = new WebhookAuthenticator(new WebhookOptions(), time);

        Assert.Null((await auth.VerifyAsync(AckFcSignature.Create("a", Secret, Now.ToUnixTimeSeconds(), "GET", "/p", []), "GET", "/p", [])).KeyId);
    }

    [Theory]
    [InlineData("a:short", "shorter than 32")]
    [InlineData("no-colon", "entry 1")]
    [InlineData("a:0123456789abcdef0123456789abcdef,a:0123456789abcdef0123456789abcdef", "twice")]
    public void Options_BadSecrets_FailNamingTheVariableNotTheSecret(string value, string expected)
    {
        var e = Assert.Throws<OptionsValidationException>(() => WebhookSettings.Options(new() { ["ACKFC_WEBHOOK_SECRETS"] = value }));

        Assert.Contains("ACKFC_WEBHOOK_SECRETS", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef0123456789abcdef", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("short", e.Message.Replace("shorter", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Selection_BadValue_FailsNamingTheVariable()
    {
        var e = Assert.Throws<OptionsValidationException>(() => FunctionsHost.SelectionOf(
            new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ACKFC_FUNCTION"] = "both" }).Build()));

        Assert.Contains("ACKFC_FUNCTION", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", SweepMode.Report)]
    [InlineData("""{"mode":"remediate","regions":["cn-hangzhou"]}""", SweepMode.Remediate)]
    public void ParseSweep_ValidPayloads(string payload, SweepMode mode) =>
        Assert.Equal(mode, SweepPayload.Parse(Encoding.UTF8.GetBytes(payload)).Mode);

    [Theory]
    [InlineData("""{"mode":"scan"}""", "mode")]
    [InlineData("""{"regions":["Hangzhou!"]}""", "regions")]
    [InlineData("""{"mode":"report","extra":1}""", "extra")]
    [InlineData("""[1]""", "payload")]
    public void ParseSweep_BadPayloads_NameTheField(string payload, string field) =>
        Assert.Equal(field, Assert.Throws<BadRequestException>(() => SweepPayload.Parse(Encoding.UTF8.GetBytes(payload))).Field);

    [Fact]
    public void SweepIdOf_SameTrigger_SameId()
    {
        var a = ComplianceFunction.SweepIdOf(new Worker.TimerInfo(Now, "daily", ""));
        var b = ComplianceFunction.SweepIdOf(new Worker.TimerInfo(Now, "daily", "{\"mode\":\"report\"}"));
        var c = ComplianceFunction.SweepIdOf(new Worker.TimerInfo(Now.AddDays(1), "daily", ""));

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }
}
