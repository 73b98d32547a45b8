using System.Text.Json;
using System.Text.Json.Nodes;
using AckFc.Local.Runner;
using AckFc.Local.Tests.Emulator;

namespace AckFc.Local.Tests.Guard;

/// <summary>
/// Issue 13's end-to-end cases over real HTTP: a signed KMS or ACK call to the emulated region, its ActionTrail event
/// delivered to the real host's <c>/invoke</c>, the guard reading the region and acting, the alert at a receiver.
/// </summary>
public sealed class GuardEndToEndTests : IAsyncLifetime
{
    private GuardStack guard = null!;

    public async Task InitializeAsync() => guard = await GuardStack.StartAsync();

    public async Task DisposeAsync() => await guard.DisposeAsync();

    private int Count(string action) => (int)guard.Stack.Emulator.State.CountOf(action);

    private async Task<int> CallAsync(SignedRequest request)
    {
        using var client = new SignedClient(guard.Stack.Emulator);
        var (status, _, _) = await client.SendJsonAsync(request);
        return status;
    }

    private static string DecisionOf(string answer) =>
        JsonDocument.Parse(answer).RootElement.GetProperty("events")[0].GetProperty("decision").GetString()!;

    [Fact]
    public async Task DisableKey_KeyOfThreeClusters_OneAlertListingAllThreeAndOneEnableKey()
    {
        Assert.Equal(200, await CallAsync(SignedRequest.Kms("DisableKey", ("KeyId", GuardStack.SharedKey))));

        // The DisableKey event, then the event of the guard's own EnableKey (which it must not answer).
        await Wait.UntilAsync(() => Count("EnableKey") >= 1, "the guard's EnableKey");
        await guard.DeliveredAsync(2);
        await Wait.UntilAsync(() => guard.Alerts().Count >= 1, "the guard alert");

        Assert.Equal(1, Count("EnableKey"));
        Assert.Equal("Enabled", guard.Stack.Emulator.State.GetKey(GuardStack.SharedKey)!.KeyState);
        var alert = Assert.Single(guard.Alerts());
        Assert.Equal("DisableKey", alert.GetProperty("eventName").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Equal(GuardStack.SharedClusters, alert.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("clusterId").GetString()).Order(StringComparer.Ordinal));
        Assert.All(alert.GetProperty("clusters").EnumerateArray(), c => Assert.Equal(GuardStack.Region, c.GetProperty("regionId").GetString()));
        Assert.Contains(alert.GetProperty("actions").EnumerateArray(), a => a.GetProperty("kind").GetString() == "enableKey" && a.GetProperty("status").GetString() == "applied");
        var who = alert.ToString();
        Assert.Contains("emulator-user", who, StringComparison.Ordinal);
        Assert.DoesNotContain(guard.Stack.Emulator.Credential.AccessKeyId, who, StringComparison.Ordinal);
        Assert.DoesNotContain(guard.Stack.Emulator.Credential.AccessKeySecret, who, StringComparison.Ordinal);
        Assert.DoesNotContain(GuardStack.NotifySecret, string.Join("\n", guard.Notifications), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisableKey_SameEventDeliveredThreeTimes_OneActionAndOneAlert()
    {
        Assert.Equal(200, await CallAsync(SignedRequest.Kms("DisableKey", ("KeyId", GuardStack.SharedKey))));
        var disable = Assert.Single(guard.Stack.Emulator.Events.GetEmitted(), e => e.EventName == "DisableKey");

        // The platform's delivery plus two more of the same event (same source and id), at the same time.
        var again = await Task.WhenAll(guard.InvokeAsync(disable.Json), guard.InvokeAsync(disable.Json));
        await guard.DeliveredAsync(2);
        await Wait.UntilAsync(() => Count("EnableKey") >= 1 && guard.Alerts().Count >= 1, "the one action and its alert");
        await Task.Delay(500);

        Assert.All(again, a => Assert.Equal(200, a.Status));
        Assert.Equal(1, Count("EnableKey"));
        Assert.Single(guard.Alerts(), a => a.GetProperty("eventName").GetString() == "DisableKey");
    }

    [Fact]
    public async Task ScheduleKeyDeletion_AlertNamesTheDaysLeftAndOneCancelKeyDeletion()
    {
        // KMS refuses to schedule the deletion of a protected key; someone turned protection off first (no event).
        guard.Stack.Emulator.State.SetDeletionProtection(GuardStack.SharedKey, false);
        Assert.Equal(200, await CallAsync(SignedRequest.Kms("ScheduleKeyDeletion", ("KeyId", GuardStack.SharedKey), ("PendingWindowInDays", "7"))));

        await Wait.UntilAsync(() => Count("CancelKeyDeletion") >= 1 && guard.Alerts().Count >= 1, "the CancelKeyDeletion and its alert");
        await guard.DeliveredAsync(2);

        Assert.Equal(1, Count("CancelKeyDeletion"));
        Assert.Equal("Enabled", guard.Stack.Emulator.State.GetKey(GuardStack.SharedKey)!.KeyState);
        var alert = Assert.Single(guard.Alerts());
        Assert.Equal("ScheduleKeyDeletion", alert.GetProperty("eventName").GetString());
        Assert.Matches(@"\b[67] days?\b", alert.GetProperty("reason").GetString()!);
        Assert.Equal(3, alert.GetProperty("clusters").GetArrayLength());
    }

    [Fact]
    public async Task DisableKey_KeyUsedByNoCluster_NoAlertAndNoAction()
    {
        Assert.Equal(200, await CallAsync(SignedRequest.Kms("DisableKey", ("KeyId", GuardStack.LonelyKey))));
        var disable = Assert.Single(guard.Stack.Emulator.Events.GetEmitted(), e => e.EventName == "DisableKey");

        var (status, _, answer) = await guard.InvokeAsync(disable.Json);
        await guard.DeliveredAsync(1);

        Assert.Equal(200, status);
        Assert.Equal("healthy", DecisionOf(answer).Replace("duplicate", "healthy", StringComparison.Ordinal));
        Assert.Equal(0, Count("EnableKey"));
        Assert.Equal("Disabled", guard.Stack.Emulator.State.GetKey(GuardStack.LonelyKey)!.KeyState);
        Assert.Empty(guard.Alerts());
    }

    [Fact]
    public async Task OwnEnableKeyEvent_ByAckFcsRole_NoReaction()
    {
        // An EnableKey of the shared key made by AckFc's guard role, while the key is disabled again by then: the
        // event is recognised as AckFc's own and answered with nothing, even though the key needs help.
        Assert.Equal(200, await CallAsync(SignedRequest.Kms("EnableKey", ("KeyId", GuardStack.SharedKey))));
        var enable = Assert.Single(guard.Stack.Emulator.Events.GetEmitted(), e => e.EventName == "EnableKey");
        await guard.DeliveredAsync(1);
        var own = JsonNode.Parse(enable.Json)!;
        own["id"] = "own-" + Guid.NewGuid().ToString("n");
        own["data"]!["eventId"] = own["id"]!.GetValue<string>();
        own["data"]!["userIdentity"] = new JsonObject
        {
            ["type"] = "assumed-role", ["userName"] = "ackfc-guard:fc-instance", ["principalId"] = "300000000000000:fc-instance",
            ["accountId"] = "1000000000000077", ["accessKeyId"] = "STS.NotThisHostsKey",
        };
        own["data"]!["eventName"] = "DisableKey";
        guard.Stack.Emulator.State.DisableKey(GuardStack.SharedKey);
        var alertsBefore = guard.Alerts().Count;

        var (status, _, answer) = await guard.InvokeAsync(own.ToJsonString());

        Assert.Equal(200, status);
        Assert.Equal("own", DecisionOf(answer));
        Assert.Equal(1, Count("EnableKey"));
        Assert.Equal(alertsBefore, guard.Alerts().Count);
    }

    [Fact]
    public async Task OutOfBandDisableEncryption_NeverDisableCluster_CriticalDriftAlert()
    {
        Assert.Equal(200, await CallAsync(SignedRequest.UpdateKms("c-guard-a", "{\"disable_encryption\":true}")));

        await guard.DeliveredAsync(1);
        var drift = Assert.Single(guard.Stack.Emulator.Events.GetEmitted(), e => e.EventName == "UpdateKMSEncryption");

        // The event arrives while ACK is still applying the change: the guard fails it so Function Compute retries;
        // the retry (the same event) after the change settled is judged on the cluster as it now is.
        await Wait.UntilAsync(() => guard.Stack.Emulator.State.GetCluster("c-guard-a")!.State != "updating", "the change to settle", timeout: TimeSpan.FromSeconds(30));
        var (status, _, answer) = await guard.InvokeAsync(drift.Json);

        Assert.True(status == 200, answer);
        Assert.Equal("alerted", DecisionOf(answer));
        var alert = Assert.Single(guard.Alerts());
        Assert.Equal("UpdateKMSEncryption", alert.GetProperty("eventName").GetString());
        Assert.Equal("ACKFC-POL-001", alert.GetProperty("ruleId").GetString());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Contains(alert.GetProperty("clusters").EnumerateArray(), c => c.GetProperty("clusterId").GetString() == "c-guard-a");
        // The policy does not allow re-enabling: reported, not changed.
        Assert.Equal(1, Count("UpdateKMSEncryption"));
    }

    [Fact]
    public async Task MalformedUnknownAndFailedCallEvents_ClearAnswerAndNoAction()
    {
        Assert.Equal(200, await CallAsync(SignedRequest.Kms("DisableKey", ("KeyId", GuardStack.SharedKey))));
        await Wait.UntilAsync(() => Count("EnableKey") >= 1, "the guard's EnableKey");
        await guard.DeliveredAsync(2);
        var template = Assert.Single(guard.Stack.Emulator.Events.GetEmitted(), e => e.EventName == "DisableKey").Json;
        guard.Stack.Emulator.State.DisableKey(GuardStack.SharedKey);
        var writes = Count("EnableKey");

        var notJson = await guard.InvokeAsync("{\"specversion\":\"1.0\",");
        var noData = await guard.InvokeAsync("{\"specversion\":\"1.0\",\"id\":\"x\",\"type\":\"kms:ActionTrail:ApiCall\"}");
        var unknown = JsonNode.Parse(template)!;
        unknown["id"] = "unknown-1";
        unknown["data"]!["eventName"] = "TagResource";
        var failed = JsonNode.Parse(template)!;
        failed["id"] = "failed-1";
        failed["data"]!["errorCode"] = "Forbidden.KeyNotFound";
        failed["data"]!["errorMessage"] = "The specified Key is not found.";
        var unknownAnswer = await guard.InvokeAsync(unknown.ToJsonString());
        var failedAnswer = await guard.InvokeAsync(failed.ToJsonString());

        Assert.Equal((404, "404"), (notJson.Status, notJson.FcStatus));
        Assert.Contains("JSON", notJson.Body, StringComparison.Ordinal);
        Assert.Equal((404, "404"), (noData.Status, noData.FcStatus));
        Assert.Contains("data", noData.Body, StringComparison.Ordinal);
        Assert.Equal(200, unknownAnswer.Status);
        Assert.Equal("ignored", DecisionOf(unknownAnswer.Body));
        Assert.Contains("TagResource", unknownAnswer.Body, StringComparison.Ordinal);
        Assert.Equal(200, failedAnswer.Status);
        Assert.Equal("ignored", DecisionOf(failedAnswer.Body));
        Assert.Contains("Forbidden.KeyNotFound", failedAnswer.Body, StringComparison.Ordinal);
        Assert.Equal(writes, Count("EnableKey"));
        Assert.Equal("Disabled", guard.Stack.Emulator.State.GetKey(GuardStack.SharedKey)!.KeyState);
    }
}
