using System.Globalization;

namespace AckFc.Functions.Tests.Deployment;

/// <summary>
/// Issue 11 item 8: the webhook's cloud-call budget leaves time for the change and its follow-up. A slow read ends by
/// its own timeout, and the write still fits after it, inside the function's timeout less the runtime's margin and the
/// reserve the follow-up keeps for the answer.
/// </summary>
public sealed class WebhookBudgetTests
{
    [Fact]
    public void Webhook_OneReadAndTheWriteFitInsideTheTimeout()
    {
        var webhook = SYamlDocument.Load().Resources
            .Single(r => r.Props["environmentVariables"]?["ACKFC_FUNCTION"]?.GetValue<string>() == "webhook").Props;
        var timeout = (int)webhook["timeout"]!.GetValue<long>();
        var total = webhook["environmentVariables"]!["ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS"]?.GetValue<string>() is { } text
            ? double.Parse(text, CultureInfo.InvariantCulture)
            : 60; // the default of AlibabaCloudOptions
        // 2 s: the runtime stops that long before Function Compute's deadline; 3 s: the follow-up's reserve for the answer.
        var usable = timeout - 2 - 3;

        // The reads get at most half the time left; a read bounded by its own timeout ends inside that half.
        Assert.True(total <= timeout / 2.0, $"ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS {total} s is more than half the webhook's {timeout} s timeout");
        Assert.True(2 * total <= usable, $"a read and the write ({total} s each) do not fit in the {usable} s the webhook can use");
    }
}
