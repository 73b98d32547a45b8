using System.Security.Cryptography;
using AckFc.Core.Signatures;
using AckFc.Functions.Tests.EndToEnd;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions.Tests.Webhook;

/// <summary>
/// The signed notification channel and the webhook speak one scheme: a digest the channel posts after a real sweep,
/// received over loopback, verifies with the webhook's own <see cref="WebhookAuthenticator"/> as it arrived (method,
/// raw target, body bytes).
/// </summary>
public sealed class SignedNotificationTests
{
    [Fact]
    public async Task ChannelSignedDigest_VerifiesWithTheWebhookAuthenticator()
    {
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var authenticator = new WebhookAuthenticator(new WebhookOptions { Secrets = new Dictionary<string, string> { ["ops"] = secret } }, TimeProvider.System);
        var checks = new List<(string Target, SignatureCheck Check)>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var receiver = builder.Build();
        receiver.Run(async context =>
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer);
            var target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
            var check = await authenticator.VerifyAsync(context.Request.Headers[AckFcSignature.HeaderName].ToString(), context.Request.Method, target, buffer.ToArray());
            lock (checks)
            {
                checks.Add((target, check));
            }

            context.Response.StatusCode = check.KeyId is null ? StatusCodes.Status401Unauthorized : StatusCodes.Status204NoContent;
        });
        await receiver.StartAsync();
        var hook = new Uri(new Uri(receiver.Urls.First()), "hooks/ackfc?tenant=blue%20team&x=1");
        await using var rig = await WebhookRig.StartAsync(settings:
        [
            "ACKFC_NOTIFY_MODE=always",
            "ACKFC_NOTIFY_ATTEMPTS=1",
            $"ACKFC_NOTIFY_WEBHOOK_URL={hook.AbsoluteUri}",
            $"ACKFC_NOTIFY_WEBHOOK_SECRET=ops:{secret}",
        ]);
        using var client = rig.Client();

        using var response = await client.SendAsync(rig.SignedRequest("POST", "/sweeps", "{\"mode\":\"report\"}"));

        Assert.Equal(200, (int)response.StatusCode);
        await WebhookRig.WaitUntilAsync(() => { lock (checks) { return checks.Count > 0; } }, TimeSpan.FromSeconds(30), "the signed digest");
        var (delivered, verified) = Assert.Single(checks);
        Assert.Equal("/hooks/ackfc?tenant=blue%20team&x=1", delivered);
        Assert.True(verified.KeyId == "ops", verified.Problem);
    }
}
