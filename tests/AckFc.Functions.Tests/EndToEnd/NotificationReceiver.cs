using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The receiving end of AckFc's generic webhook channel, on loopback: a real HTTP server that keeps every body it was
/// sent, so a test counts what the function processes notified.
/// </summary>
internal sealed class NotificationReceiver : IAsyncDisposable
{
    /// <summary>The channel secret the hosts sign with (<c>ACKFC_NOTIFY_WEBHOOK_SECRET</c>).</summary>
    public const string Secret = "procs-notify-secret-4b1d-0123456789abcdef0123";

    private readonly WebApplication app;
    private readonly List<string> bodies = [];

    private NotificationReceiver(WebApplication app) => this.app = app;

    /// <summary>Where the channel posts.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>The variables that point a host's webhook channel here.</summary>
    public IReadOnlyDictionary<string, string> HostVariables => new Dictionary<string, string>
    {
        ["ACKFC_NOTIFY_WEBHOOK_URL"] = Url.AbsoluteUri,
        ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "notify:" + Secret,
    };

    /// <summary>The report digests received, in arrival order.</summary>
    public IReadOnlyList<JsonElement> Digests
    {
        get
        {
            lock (bodies)
            {
                return [.. bodies.Select(b => JsonDocument.Parse(b).RootElement).Where(d => d.GetProperty("type").GetString() == "ackfc.report.digest")];
            }
        }
    }

    public static async Task<NotificationReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var receiver = new NotificationReceiver(builder.Build());
        receiver.app.Run(receiver.HandleAsync);
        await receiver.app.StartAsync();
        var address = receiver.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(new Uri(address), "/hook");
        return receiver;
    }

    /// <summary>The changes of one kind (<c>new</c>, <c>escalated</c>, <c>resolved</c>) a digest lists, as cluster/rule pairs.</summary>
    public static IReadOnlyList<string> Changes(JsonElement digest, string kind) =>
        [.. digest.GetProperty("changes").GetProperty(kind).EnumerateArray().Select(c => $"{c.GetProperty("clusterId").GetString()}/{c.GetProperty("ruleId").GetString()}")];

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        lock (bodies)
        {
            bodies.Add(body);
        }

        context.Response.StatusCode = 200;
    }
}
