using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AckFc.Local.Tests.Emulator;

/// <summary>A Kestrel server on loopback that records what the emulator posts, standing in for the function host.</summary>
internal sealed class EventSink : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<SinkRequest> _received = [];

    private EventSink(WebApplication app) => _app = app;

    public Uri Address { get; private set; } = null!;

    /// <summary>The status answered; 200 by default.</summary>
    public int Status { get; set; } = 200;

    /// <summary>The clock <see cref="SinkRequest.ReceivedAt"/> reads (the emulator's fake clock in delay tests).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>An <c>x-fc-status</c> header to answer with, or null.</summary>
    public string? FcStatus { get; set; }

    public IReadOnlyList<SinkRequest> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    public static async Task<EventSink> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var sink = new EventSink(app);
        app.Run(sink.HandleAsync);
        await app.StartAsync();
        sink.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return sink;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
        lock (_received)
        {
            _received.Add(new SinkRequest(context.Request.Method, context.Features.Get<IHttpRequestFeature>()!.RawTarget, headers, body, Clock.GetUtcNow()));
        }

        context.Response.StatusCode = Status;
        if (FcStatus is not null)
        {
            context.Response.Headers["x-fc-status"] = FcStatus;
        }
    }
}
