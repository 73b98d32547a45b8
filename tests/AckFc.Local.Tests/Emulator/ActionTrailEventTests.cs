using System.Text.Json;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Local.Tests.Emulator;

public sealed class ActionTrailEventTests
{
    private const string Account = "1000000000000001";

    private static JsonElement Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.Clone();
    }

    private static string Text(JsonElement e, string name) => e.GetProperty(name).GetString()!;

    private static Task<RunningEmulator> StartWithSink(EventSink sink, FakeTimeProvider? time = null, Action<EmulatorOptions>? configure = null) =>
        TestEmulator.StartAsync(time, configure: o =>
        {
            o.EventSinks.Add(sink.Address);
            configure?.Invoke(o);
        });

    [Fact]
    public async Task DisableKey_Signed_ExactlyOneEventAtSinkWithDocumentedFieldsAndFcHeaders()
    {
        await using var sink = await EventSink.StartAsync();
        await using var emulator = await StartWithSink(sink);
        using var client = new SignedClient(emulator);

        var (status, _, response) = await client.SendJsonAsync(SignedRequest.Kms("DisableKey", ("KeyId", "key-demo-hz-orders")));
        await Wait.UntilAsync(() => sink.Received.Count >= 1, "the DisableKey event at the sink");
        await Task.Delay(200);

        Assert.Equal(200, status);
        var delivery = Assert.Single(sink.Received);
        Assert.Equal("POST", delivery.Method);
        Assert.Equal("/invoke", delivery.Target);
        Assert.Equal("/invoke", delivery.Headers["x-fc-control-path"]);
        Assert.False(string.IsNullOrEmpty(delivery.Headers["x-fc-request-id"]));
        Assert.Equal("application/octet-stream", delivery.Headers["content-type"]);

        var e = Parse(delivery.Body);
        var id = Text(e, "id");
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("acs.kms", Text(e, "source"));
        Assert.Equal("1.0", Text(e, "specversion"));
        Assert.Equal("kms:ActionTrail:ApiCall", Text(e, "type"));
        Assert.Equal($"acs.kms:cn-hangzhou:{Account}:key/key-demo-hz-orders", Text(e, "subject"));
        Assert.Equal("2026-11-28T12:00:00.000Z", Text(e, "time"));
        Assert.Equal("application/json;charset=utf-8", Text(e, "datacontenttype"));
        Assert.Equal(Account, Text(e, "aliyunaccountid"));
        Assert.Equal("2026-11-28T12:00:00.000Z", Text(e, "aliyunpublishtime"));
        Assert.Equal("default", Text(e, "aliyuneventbusname"));
        Assert.Equal("cn-hangzhou", Text(e, "aliyunregionid"));

        var data = e.GetProperty("data");
        Assert.Equal(id, Text(data, "eventId"));
        Assert.Equal(1, data.GetProperty("eventVersion").GetInt32());
        Assert.Equal("ApiCall", Text(data, "eventType"));
        Assert.Equal("Write", Text(data, "eventRW"));
        Assert.Equal("DisableKey", Text(data, "eventName"));
        Assert.Equal("Kms", Text(data, "serviceName"));
        Assert.Equal(emulator.BaseAddress.Authority, Text(data, "eventSource"));
        Assert.Equal("cn-hangzhou", Text(data, "acsRegion"));
        Assert.Equal("2016-01-20", Text(data, "apiVersion"));
        Assert.Equal("2026-11-28T12:00:00Z", Text(data, "eventTime"));
        Assert.Equal(response.Headers.Value("x-acs-request-id"), Text(data, "requestId"));
        Assert.Equal("key-demo-hz-orders", Text(data.GetProperty("requestParameters"), "KeyId"));
        Assert.Equal("127.0.0.1", Text(data, "sourceIpAddress"));
        Assert.True(data.TryGetProperty("userAgent", out _));
        var who = data.GetProperty("userIdentity");
        Assert.Equal("ram-user", Text(who, "type"));
        Assert.Equal("emulator-user", Text(who, "userName"));
        Assert.Equal(Account, Text(who, "accountId"));
        Assert.Equal(TestEmulator.Credential.AccessKeyId, Text(who, "accessKeyId"));
        Assert.Matches("^[1-9][0-9]{15}$", Text(who, "principalId"));
        Assert.Equal("", Text(data, "errorCode"));
        Assert.Equal("", Text(data, "errorMessage"));

        Assert.Equal(1, emulator.Events.Delivered);
        Assert.Equal(0, emulator.Events.Failed);
        var recorded = Assert.Single(emulator.Events.GetEmitted());
        Assert.Equal(delivery.Body, recorded.Json);
        Assert.DoesNotContain(TestEmulator.Credential.AccessKeySecret, delivery.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedWrite_EventCarriesErrorCode_ReadsAndBadSignaturesEmitNothing()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var missing = await client.SendJsonAsync(SignedRequest.Kms("DisableKey", ("KeyId", "key-missing")));
        var conflict = await client.SendJsonAsync(SignedRequest.Kms("EnableKey", ("KeyId", "key-demo-hz-reporting")));
        await client.SendJsonAsync(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-orders")));
        var forged = await client.SendJsonAsync(new SignedRequest { Action = "DisableKey", Query = [new("KeyId", "key-demo-hz-orders")], Secret = "wrong-secret" });

        Assert.Equal(404, missing.Status);
        Assert.Equal(409, conflict.Status);
        Assert.Equal("SignatureDoesNotMatch", TestEmulator.Code(forged.Body));
        var events = emulator.Events.GetEmitted();
        Assert.Equal(["DisableKey", "EnableKey"], events.Select(e => e.EventName));
        var notFound = Parse(events[0].Json).GetProperty("data");
        Assert.Equal("Forbidden.KeyNotFound", Text(notFound, "errorCode"));
        Assert.Contains("key-missing", Text(notFound, "errorMessage"), StringComparison.Ordinal);
        Assert.EndsWith(":key/key-missing", events[0].Subject, StringComparison.Ordinal);
        Assert.Equal("Rejected.PendingDeletion", events[1].ErrorCode);
        Assert.Equal("Enabled", emulator.State.GetKey("key-demo-hz-orders")!.KeyState);
    }

    [Fact]
    public async Task DuplicateRateOne_EachEventDeliveredTwiceWithTheSameIdInOrder()
    {
        await using var sink = await EventSink.StartAsync();
        await using var emulator = await StartWithSink(sink, configure: o => o.EventDuplicateRate = 1.0);
        using var client = new SignedClient(emulator);

        await client.SendJsonAsync(SignedRequest.Kms("DisableKey", ("KeyId", "key-demo-hz-orders")));
        await client.SendJsonAsync(SignedRequest.Kms("EnableKey", ("KeyId", "key-demo-hz-orders")));
        await Wait.UntilAsync(() => sink.Received.Count >= 4, "four deliveries");
        await Task.Delay(200);

        var received = sink.Received;
        Assert.Equal(4, received.Count);
        var names = received.Select(r => Text(Parse(r.Body).GetProperty("data"), "eventName")).ToList();
        var ids = received.Select(r => Text(Parse(r.Body), "id")).ToList();
        Assert.Equal(["DisableKey", "DisableKey", "EnableKey", "EnableKey"], names);
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(ids[2], ids[3]);
        Assert.NotEqual(ids[0], ids[2]);
        Assert.Equal(4, received.Select(r => r.Headers["x-fc-request-id"]).Distinct().Count());
        Assert.Equal(2, emulator.Events.GetEmitted().Count);
        Assert.Equal(4, emulator.Events.Delivered);
        Assert.Equal([false, true, false, true], emulator.Events.GetDeliveries().Select(d => d.Duplicate));
    }

    [Fact]
    public async Task Delay_EventNotDeliveredBeforeItElapsesOnTheEmulatorClock()
    {
        var time = new FakeTimeProvider(TestEmulator.Start);
        await using var sink = await EventSink.StartAsync();
        sink.Clock = time;
        await using var emulator = await StartWithSink(sink, time, o => o.EventDelay = TimeSpan.FromSeconds(10));
        using var client = new SignedClient(emulator);

        var (status, _, _) = await client.SendJsonAsync(SignedRequest.Kms("DisableKey", ("KeyId", "key-demo-hz-orders")));
        await Task.Delay(300);
        var beforeAnyAdvance = sink.Received.Count;
        time.Advance(TimeSpan.FromSeconds(9.9));
        await Task.Delay(300);
        var justBefore = sink.Received.Count;
        await Wait.UntilAsync(() => sink.Received.Count >= 1, "the delayed event", step: () => time.Advance(TimeSpan.FromMilliseconds(50)));

        Assert.Equal(200, status);
        Assert.Single(emulator.Events.GetEmitted());
        Assert.Equal(0, beforeAnyAdvance);
        Assert.Equal(0, justBefore);
        Assert.True(sink.Received[0].ReceivedAt >= TestEmulator.Start.AddSeconds(10), $"delivered at {sink.Received[0].ReceivedAt:O}, before the 10 s delay");
    }

    [Fact]
    public async Task UpdateKmsEncryption_CsEventWithClusterIdAndBodyFields()
    {
        await using var emulator = await TestEmulator.StartAsync(configure: o => o.UpdatingDuration = TimeSpan.Zero);
        using var client = new SignedClient(emulator);

        var (status, _, _) = await client.SendJsonAsync(SignedRequest.UpdateKms("c-demo-hz-analytics", """{"kms_key_id":"key-demo-hz-spare","disable_encryption":false}"""));

        Assert.Equal(200, status);
        var emitted = Assert.Single(emulator.Events.GetEmitted());
        var e = Parse(emitted.Json);
        Assert.Equal("cs:ActionTrail:ApiCall", Text(e, "type"));
        Assert.Equal("acs.cs", Text(e, "source"));
        Assert.Equal($"acs.cs:cn-hangzhou:{Account}:cluster/c-demo-hz-analytics", Text(e, "subject"));
        var data = e.GetProperty("data");
        Assert.Equal("UpdateKMSEncryption", Text(data, "eventName"));
        Assert.Equal("CS", Text(data, "serviceName"));
        Assert.Equal("2015-12-15", Text(data, "apiVersion"));
        Assert.Equal("cn-hangzhou", Text(data, "acsRegion"));
        var p = data.GetProperty("requestParameters");
        Assert.Equal("c-demo-hz-analytics", Text(p, "ClusterId"));
        Assert.Equal("key-demo-hz-spare", Text(p, "kms_key_id"));
        Assert.Equal(JsonValueKind.False, p.GetProperty("disable_encryption").ValueKind);
    }

    [Fact]
    public async Task StsSignedCall_AssumedRoleIdentity_ConfiguredIdentityWins()
    {
        await using var emulator = await TestEmulator.StartAsync(configure: o =>
        {
            o.Credentials.Add(new EmulatorCredential("STS.test-sts-id", "sts-secret-0123456789"));
            o.Credentials.Add(new EmulatorCredential("ackfc-guard-key", "guard-secret-0123456789") { Identity = new("assumed-role", "ackfc-guard:fc-session") });
        });
        using var client = new SignedClient(emulator);

        var sts = await client.SendJsonAsync(new SignedRequest
        {
            Action = "DisableKey", Query = [new("KeyId", "key-demo-hz-orders")], AccessKeyId = "STS.test-sts-id", Secret = "sts-secret-0123456789", SecurityToken = "sts-token",
        });
        var guard = await client.SendJsonAsync(new SignedRequest
        {
            Action = "EnableKey", Query = [new("KeyId", "key-demo-hz-orders")], AccessKeyId = "ackfc-guard-key", Secret = "guard-secret-0123456789",
        });

        Assert.Equal(200, sts.Status);
        Assert.Equal(200, guard.Status);
        var events = emulator.Events.GetEmitted();
        var role = Parse(events[0].Json).GetProperty("data").GetProperty("userIdentity");
        Assert.Equal("assumed-role", Text(role, "type"));
        Assert.Equal("emulator-role:session", Text(role, "userName"));
        Assert.Equal("STS.test-sts-id", Text(role, "accessKeyId"));
        Assert.EndsWith(":session", Text(role, "principalId"), StringComparison.Ordinal);
        var own = Parse(events[1].Json).GetProperty("data").GetProperty("userIdentity");
        Assert.Equal("assumed-role", Text(own, "type"));
        Assert.Equal("ackfc-guard:fc-session", Text(own, "userName"));
        Assert.Equal("ackfc-guard-key", Text(own, "accessKeyId"));
        Assert.DoesNotContain("sts-token", events[0].Json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminSurfaceChanges_ConsoleOperationsOfTheOperator_ListedByGetEvents()
    {
        await using var sink = await EventSink.StartAsync();
        await using var emulator = await StartWithSink(sink);
        using var http = new HttpClient { BaseAddress = emulator.BaseAddress };

        var disable = await http.PostAsync("/_emulator/keys/alias%2Fackfc-orders-hz/disable", null);
        var schedule = await http.PostAsync("/_emulator/keys/key-demo-sg-api/schedule-deletion?days=9", null);
        var cluster = await http.PutAsync("/_emulator/clusters/c-demo-sh-web/state?value=failed", null);
        var unknown = await http.PostAsync("/_emulator/keys/key-missing/disable", null);
        await Wait.UntilAsync(() => sink.Received.Count >= 3, "three console events");
        var listed = Parse(await http.GetStringAsync("/_emulator/events"));

        Assert.Equal(200, (int)disable.StatusCode);
        Assert.Equal(200, (int)schedule.StatusCode);
        Assert.Equal(200, (int)cluster.StatusCode);
        Assert.Equal(404, (int)unknown.StatusCode);
        var events = emulator.Events.GetEmitted();
        Assert.Equal(["kms:ActionTrail:ConsoleOperation", "kms:ActionTrail:ConsoleOperation", "cs:ActionTrail:ConsoleOperation"], events.Select(e => e.Type));
        var first = Parse(events[0].Json);
        Assert.Equal($"acs.kms:cn-hangzhou:{Account}:key/key-demo-hz-orders", Text(first, "subject"));
        var data = first.GetProperty("data");
        Assert.Equal("ConsoleOperation", Text(data, "eventType"));
        Assert.Equal("DisableKey", Text(data, "eventName"));
        Assert.Equal("key-demo-hz-orders", Text(data.GetProperty("requestParameters"), "KeyId"));
        Assert.Equal("emulator-operator", Text(data.GetProperty("userIdentity"), "userName"));
        Assert.Equal("", Text(data.GetProperty("userIdentity"), "accessKeyId"));
        Assert.Equal("9", Text(Parse(events[1].Json).GetProperty("data").GetProperty("requestParameters"), "PendingWindowInDays"));
        Assert.Equal($"acs.cs:cn-shanghai:{Account}:cluster/c-demo-sh-web", events[2].Subject);
        Assert.Equal(3, listed.GetProperty("events").GetArrayLength());
        Assert.Equal(events[0].Id, Text(listed.GetProperty("events")[0], "id"));
        Assert.Equal(sink.Address.ToString(), listed.GetProperty("sinks")[0].GetString());
    }

    [Fact]
    public async Task FailedDelivery_LoggedAndCountedOnce_NextEventStillGoesOut()
    {
        await using var sink = await EventSink.StartAsync();
        sink.Status = 404;
        sink.FcStatus = "404";
        await using var emulator = await StartWithSink(sink);
        using var client = new SignedClient(emulator);

        await client.SendJsonAsync(SignedRequest.Kms("DisableKey", ("KeyId", "key-demo-hz-orders")));
        await Wait.UntilAsync(() => emulator.Events.Failed == 1, "the failed delivery");
        sink.Status = 200;
        sink.FcStatus = "200";
        await client.SendJsonAsync(SignedRequest.Kms("EnableKey", ("KeyId", "key-demo-hz-orders")));
        await Wait.UntilAsync(() => emulator.Events.Delivered == 1, "the next delivery");
        await Task.Delay(200);

        Assert.Equal(2, sink.Received.Count);
        Assert.Equal(1, emulator.Events.Failed);
        var deliveries = emulator.Events.GetDeliveries();
        Assert.False(deliveries[0].Succeeded);
        Assert.Equal(404, deliveries[0].Status);
        Assert.Contains("404", deliveries[0].Problem, StringComparison.Ordinal);
        Assert.True(deliveries[1].Succeeded);
    }

    [Fact]
    public async Task UnreachableSink_CountedAsFailed_ApiAnswerDoesNotWait()
    {
        var dead = new Uri("http://127.0.0.1:1/");
        await using var emulator = await TestEmulator.StartAsync(configure: o => o.EventSinks.Add(dead));
        using var client = new SignedClient(emulator);

        var (status, _, _) = await client.SendJsonAsync(SignedRequest.Kms("DisableKey", ("KeyId", "key-demo-hz-orders")));
        await Wait.UntilAsync(() => emulator.Events.Failed == 1, "the failed delivery");

        Assert.Equal(200, status);
        var delivery = Assert.Single(emulator.Events.GetDeliveries());
        Assert.Equal(0, delivery.Status);
        Assert.Equal(dead, delivery.Sink);
    }

    [Theory]
    [InlineData("--event-sink", "ftp://127.0.0.1:9000")]
    [InlineData("--event-sink", "not a url")]
    [InlineData("--event-delay-ms", "-1")]
    [InlineData("--event-delay-ms", "3600001")]
    [InlineData("--event-duplicate-rate", "1.5")]
    [InlineData("--event-duplicate-rate", "often")]
    public void Parse_BadEventOption_ErrorNamesTheOption(string option, string value)
    {
        var ex = Assert.Throws<ArgumentException>(() => EmulatorCommand.Parse([option, value]));

        Assert.Contains(option, ex.Message, StringComparison.Ordinal);
        Assert.Contains(value, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EventOptions_SetTheOptions()
    {
        var (options, _, _) = EmulatorCommand.Parse(
            ["--event-sink", "http://127.0.0.1:9000", "--event-sink", "http://127.0.0.1:9001/base/", "--event-delay-ms", "1500", "--event-duplicate-rate", "0.25"]);

        Assert.Equal([new Uri("http://127.0.0.1:9000"), new Uri("http://127.0.0.1:9001/base/")], options.EventSinks);
        Assert.Equal(TimeSpan.FromMilliseconds(1500), options.EventDelay);
        Assert.Equal(0.25, options.EventDuplicateRate);
    }

    [Fact]
    public async Task StartAsync_BadEventOptions_ArgumentExceptionNamingTheSetting()
    {
        var rate = await Assert.ThrowsAsync<ArgumentException>(() => TestEmulator.StartAsync(configure: o => o.EventDuplicateRate = -0.1));
        var delay = await Assert.ThrowsAsync<ArgumentException>(() => TestEmulator.StartAsync(configure: o => o.EventDelay = TimeSpan.FromHours(2)));
        var identity = await Assert.ThrowsAsync<ArgumentException>(() => TestEmulator.StartAsync(configure: o =>
            o.Credentials.Add(new EmulatorCredential("id", "secret") { Identity = new("robot", "x") })));

        Assert.Contains("EventDuplicateRate", rate.Message, StringComparison.Ordinal);
        Assert.Contains("EventDelay", delay.Message, StringComparison.Ordinal);
        Assert.Contains("identity of id", identity.Message, StringComparison.Ordinal);
    }
}
