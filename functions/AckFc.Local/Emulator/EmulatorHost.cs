using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AckFc.Local.Emulator;

/// <summary>Starts emulated Alibaba Cloud regions (ACK + KMS) in the current process.</summary>
public static class EmulatorHost
{
    /// <summary>
    /// Loads the fleet, binds Kestrel (127.0.0.1, a free port by default) and starts serving. Throws
    /// <see cref="FleetFileException"/> for a bad fleet and <see cref="ArgumentException"/> for bad options.
    /// </summary>
    public static async Task<RunningEmulator> StartAsync(EmulatorOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (fleet, source) = options.Fleet is not null
            ? (options.Fleet, "in-memory fleet")
            : options.FleetFile is not null
                ? (FleetLoader.Load(options.FleetFile), options.FleetFile)
                : (DemoFleet.Create(), "demo fleet");

        var credentials = options.ResolveCredentials();
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var events = new EmulatorEvents(options);
        events.UseLogger(loggerFactory.CreateLogger("AckFc.Local.Emulator.Events"));
        EmulatorState state;
        try
        {
            state = new EmulatorState(fleet, source, options, events);
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(EmulatorHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.AddServerHeader = false);
        builder.WebHost.UseUrls(options.Urls);
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));

        var app = builder.Build();
        var oss = new OssApi(state, credentials, options.MaxClockSkew, loggerFactory.CreateLogger("AckFc.Local.Emulator.Oss"));
        var middleware = new EmulatorMiddleware(
            state,
            new SignatureVerifier(credentials, options.MaxClockSkew, state),
            new CsApi(state),
            new KmsApi(state),
            new AdminApi(state),
            loggerFactory.CreateLogger("AckFc.Local.Emulator"),
            oss);
        app.Run(middleware.InvokeAsync);

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningEmulator(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal)), state, credentials) { Oss = oss };
    }
}

/// <summary>An emulator serving requests; dispose it to stop.</summary>
public sealed class RunningEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    internal RunningEmulator(WebApplication app, Uri baseAddress, EmulatorState state, IReadOnlyList<EmulatorCredential> credentials)
    {
        _app = app;
        BaseAddress = baseAddress;
        State = state;
        Credentials = credentials;
    }

    /// <summary>Where it listens, e.g. <c>http://127.0.0.1:49152/</c>: every region, CS and KMS, on this one URL.</summary>
    public Uri BaseAddress { get; }

    /// <summary>
    /// The endpoint without a trailing slash, usable as both <c>ACKFC_CS_ENDPOINT</c> and <c>ACKFC_KMS_ENDPOINT</c>
    /// (one URL serves every region, so the template needs no <c>{region}</c>).
    /// </summary>
    public string Endpoint => BaseAddress.GetLeftPart(UriPartial.Authority);

    /// <summary>The fleet, call log, counters, faults and settings.</summary>
    public EmulatorState State { get; }

    /// <summary>The ActionTrail events emitted for write calls (the same object as <see cref="EmulatorState.Events"/>).</summary>
    public EmulatorEvents Events => State.Events;

    /// <summary>The emulated OSS (buckets in memory).</summary>
    internal OssApi Oss { get; init; } = null!;

    /// <summary>The access keys it accepts.</summary>
    public IReadOnlyList<EmulatorCredential> Credentials { get; }

    /// <summary>The first accepted access key: the one to give a client.</summary>
    public EmulatorCredential Credential => Credentials[0];

    /// <summary>Completes when the host stops (Ctrl+C on the command line, or disposal).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        await State.Events.DisposeAsync().ConfigureAwait(false);
    }
}
