using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The audit trail holds whatever happens after the write (issue 17 item 1, issue 11 items 1 and 8): over real HTTP,
/// the emulator's call log is the witness of what ACK accepted and the host's own log must have the audit line.
/// </summary>
public sealed class WebhookAuditTrailTests
{
    private const string Path = "/clusters/c-demo-hz-analytics/kms";
    private const string Body = """{"kms_key_id":"key-demo-hz-spare","reason":"audit trail"}""";

    private static bool Accepted(JsonElement audit) =>
        audit.GetProperty("outcome").GetString() is "Accepted" or "Applied"
        && audit.GetProperty("cloudRequestIds").GetArrayLength() > 0;

    [Fact]
    public async Task Put_ClientClosesTheSocketWhileTheChangeIsFollowed_TheAppliedChangeIsAudited()
    {
        // The cluster stays "updating" for a minute: the host is following it when the caller goes away.
        await using var stack = await WebhookRig.StartAsync(emulator: o => o.UpdatingDuration = TimeSpan.FromSeconds(60));
        var bytes = Encoding.UTF8.GetBytes(Body);
        using (var tcp = await stack.ConnectAsync())
        {
            var stream = tcp.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(stack.SignedHead("PUT", Path, bytes, "closed-after-write")));
            await stream.WriteAsync(bytes);
            await WebhookRig.WaitUntilAsync(() => stack.Emulator.State.CountOf("UpdateKMSEncryption") == 1, TimeSpan.FromSeconds(20), "ACK to receive UpdateKMSEncryption");
        }

        Assert.Contains(stack.Emulator.State.GetCalls(), c => c.Action == "UpdateKMSEncryption" && c.Status == 200);
        await WebhookRig.WaitUntilAsync(() => stack.AuditsOf("closed-after-write").Any(Accepted), TimeSpan.FromSeconds(10),
            "an audit record of the accepted change for request closed-after-write");
        // The invocation ends without an error line: the caller leaving is not a failure of the function.
        await WebhookRig.WaitUntilAsync(() => stack.AuditsOf("closed-after-write").Count >= 2, TimeSpan.FromSeconds(10), "the closing audit record");
        Assert.Equal("Accepted", stack.AuditsOf("closed-after-write")[^1].GetProperty("outcome").GetString());
        Assert.DoesNotContain(stack.Logs(), r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Put_ClientClosesRightAfterSending_EveryDecisionAndEveryWriteIsAudited()
    {
        await using var stack = await WebhookRig.StartAsync();
        var bytes = Encoding.UTF8.GetBytes(Body);
        var writes = 0;
        var decided = 0;
        for (var round = 0; round < 12; round++)
        {
            stack.Emulator.State.ResetFleet();
            stack.Emulator.State.ResetCalls();
            var id = "closed-" + round;
            using (var tcp = await stack.ConnectAsync())
            {
                var stream = tcp.GetStream();
                await stream.WriteAsync(Encoding.ASCII.GetBytes(stack.SignedHead("PUT", Path, bytes, id)).Concat(bytes).ToArray());
                await stream.FlushAsync();
                // Close at a different moment each round: while the body is read, during the reads, around the write.
                await Task.Delay(round * 15);
            }

            // Give the host time to get as far as it will; a request cut off while its body was read never reaches a decision.
            await Task.Delay(1500);
            if (stack.Emulator.State.GetCalls().Count > 0)
            {
                // It reached the cloud, so it reached a decision: that decision is on record, whatever happened after.
                decided++;
                await WebhookRig.WaitUntilAsync(() => stack.AuditsOf(id).Count > 0, TimeSpan.FromSeconds(20), $"an audit record for {id}");
            }

            if (stack.Emulator.State.GetCalls().Any(c => c.Action == "UpdateKMSEncryption" && c.Status == 200))
            {
                writes++;
                await WebhookRig.WaitUntilAsync(() => stack.AuditsOf(id).Any(Accepted), TimeSpan.FromSeconds(20), $"the accepted change of {id} on record");
            }
        }

        Assert.DoesNotContain(stack.Logs(), r => r.Level >= LogLevel.Error);
        // A figure for docs/reliability.md: how often the write went out although the caller had left.
        Console.WriteLine($"closed right after sending: {decided} of 12 rounds reached the cloud, {writes} reached UpdateKMSEncryption; each audited");
    }

    [Fact]
    public async Task Put_DeadlineDuringTheFollowUp_Answers202InTimeAndAudits()
    {
        await using var stack = await WebhookRig.StartAsync(emulator: o => o.UpdatingDuration = TimeSpan.FromSeconds(60));
        using var client = stack.Client();
        var started = DateTime.UtcNow;
        using var response = await client.SendAsync(stack.SignedRequest("PUT", Path, Body, "deadline-follow", timeoutSeconds: 6));
        var elapsed = DateTime.UtcNow - started;
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("accepted", JsonDocument.Parse(text).RootElement.GetProperty("outcome").GetString());
        Assert.True(elapsed < TimeSpan.FromSeconds(6), $"answered after {elapsed.TotalSeconds:0.0} s, past the 6 s deadline");
        Assert.Equal(1, stack.Emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.Contains(stack.AuditsOf("deadline-follow"), Accepted);
        Assert.DoesNotContain(stack.Logs(), r => r.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task Put_SlowReadBeforeTheChange_StopsAtHalfTheTimeWith503AndChangesNothing()
    {
        // DescribeKey hangs: the reads must not eat the time the change and its follow-up need (issue 11 item 8).
        await using var stack = await WebhookRig.StartAsync();
        stack.Emulator.State.Faults.Set("DescribeKey", new Local.Emulator.FaultProfile { HangRate = 1, HangMilliseconds = 60_000 });
        using var client = stack.Client();
        var started = DateTime.UtcNow;
        using var response = await client.SendAsync(stack.SignedRequest("PUT", Path, Body, "slow-read", timeoutSeconds: 8));
        var elapsed = DateTime.UtcNow - started;
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("DeadlineExceeded", JsonDocument.Parse(text).RootElement.GetProperty("errorCode").GetString());
        Assert.InRange(elapsed, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5.5));
        Assert.Equal(0, stack.Emulator.State.CountOf("UpdateKMSEncryption"));
        Assert.Contains(stack.AuditsOf("slow-read"), a => a.GetProperty("outcome").GetString() == "CloudFailed");
    }
}
