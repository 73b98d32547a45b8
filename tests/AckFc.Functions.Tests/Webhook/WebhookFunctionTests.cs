using System.Text;
using System.Text.Json;
using AckFc.Core.Encryption;
using AckFc.Core.Judging;
using AckFc.Core.Policy;
using AckFc.Worker;
using Microsoft.Extensions.DependencyInjection;
using NSubstitute;

namespace AckFc.Functions.Tests.Webhook;

/// <summary>
/// <see cref="WebhookFunction"/> without a host: a substituted <see cref="IEncryptionService"/> answers each outcome
/// Core can give, and the function's one mapping turns it into the contract's status (contracts §4).
/// </summary>
public sealed class WebhookFunctionTests
{
    private const string Cluster = "c-demo-hz-orders";

    private static readonly Decision Decision = new()
    {
        Allowed = true,
        Enforcement = Enforcement.Enforce,
        Violations = [],
        PolicyVersion = "test",
        RequestId = "req-1",
    };

    public static TheoryData<ChangeOutcome, bool, int> ChangeOutcomes => new()
    {
        { ChangeOutcome.Applied, false, 200 },
        { ChangeOutcome.NoChange, false, 200 },
        { ChangeOutcome.DryRun, false, 200 },
        { ChangeOutcome.Accepted, false, 202 },
        { ChangeOutcome.Invalid, false, 400 },
        { ChangeOutcome.Denied, false, 403 },
        { ChangeOutcome.NotFound, false, 404 },
        { ChangeOutcome.Conflict, false, 409 },
        { ChangeOutcome.CloudFailed, false, 502 },
        { ChangeOutcome.CloudFailed, true, 503 },
    };

    public static TheoryData<StatusOutcome, bool, int> StatusOutcomes => new()
    {
        { StatusOutcome.Found, false, 200 },
        { StatusOutcome.NotFound, false, 404 },
        { StatusOutcome.CloudFailed, false, 502 },
        { StatusOutcome.CloudFailed, true, 503 },
    };

    [Theory]
    [MemberData(nameof(ChangeOutcomes))]
    public async Task Put_EachChangeOutcome_MapsToItsStatus(ChangeOutcome outcome, bool retryable, int expected)
    {
        var encryption = Substitute.For<IEncryptionService>();
        encryption.ChangeAsync(Arg.Any<EncryptionChangeRequest>(), Arg.Any<CancellationToken>())
            .Returns(new EncryptionChangeResult { Outcome = outcome, Retryable = retryable, Decision = Decision, Message = "m" });

        var response = await new WebhookFunction(encryption).RunAsync(Request("PUT", """{"kms_key_id":"key-1"}"""), Context());

        Assert.Equal(expected, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Body.ToArrayAsync());
        // A denial answers the decision itself; every other outcome the change answer naming it.
        Assert.Equal(outcome == ChangeOutcome.Denied, body.RootElement.TryGetProperty("allowed", out _));
        await encryption.Received(1).ChangeAsync(
            Arg.Is<EncryptionChangeRequest>(r => r.ClusterId == Cluster && r.KmsKeyId == "key-1" && r.Actor == "webhook:ops" && r.RequestId == "inv-1"),
            Arg.Any<CancellationToken>());
    }

    [Theory]
    [MemberData(nameof(StatusOutcomes))]
    public async Task Get_EachStatusOutcome_MapsToItsStatus(StatusOutcome outcome, bool retryable, int expected)
    {
        var encryption = Substitute.For<IEncryptionService>();
        encryption.GetStatusAsync(Cluster, "inv-1", Arg.Any<CancellationToken>())
            .Returns(new ClusterStatusResult { Outcome = outcome, Retryable = retryable, Message = "why" });

        var response = await new WebhookFunction(encryption).RunAsync(Request("GET", ""), Context());

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal(outcome == StatusOutcome.Found ? "application/json" : "application/problem+json", response.ContentType);
    }

    [Fact]
    public void Tables_CoverEveryOutcome()
    {
        Assert.Equal(Enum.GetValues<ChangeOutcome>().Order(), ChangeOutcomes.Select(row => (ChangeOutcome)row[0]).Distinct().Order());
        Assert.Equal(Enum.GetValues<StatusOutcome>().Order(), StatusOutcomes.Select(row => (StatusOutcome)row[0]).Distinct().Order());
    }

    [Theory]
    [InlineData("C-UPPER-case")]
    [InlineData("c%2Ddemo-hz-orders")]
    [InlineData("c-demo\n")]
    public async Task NotAClusterId_400NamingIt_NothingCalled(string clusterId)
    {
        var encryption = Substitute.For<IEncryptionService>();

        var response = await new WebhookFunction(encryption).RunAsync(Request("GET", "", clusterId), Context());

        Assert.Equal(400, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Body.ToArrayAsync());
        Assert.Equal("clusterId", body.RootElement.GetProperty("field").GetString());
        Assert.Empty(encryption.ReceivedCalls());
    }

    private static HttpRequestData Request(string method, string body, string clusterId = Cluster) => new()
    {
        Method = method,
        PathAndQuery = $"/clusters/{Uri.EscapeDataString(clusterId)}/kms",
        Path = $"/clusters/{clusterId}/kms",
        Headers = new Dictionary<string, string>(),
        Body = Encoding.UTF8.GetBytes(body),
        RouteValues = new Dictionary<string, string> { ["clusterId"] = clusterId },
    };

    private static FunctionContext Context() => new()
    {
        InvocationId = "inv-1",
        FunctionName = "webhook",
        CancellationToken = CancellationToken.None,
        InstanceServices = new ServiceCollection().BuildServiceProvider(),
        Caller = "ops",
    };
}
