using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace AckFc.Worker;

/// <summary>Builds a Function Compute custom-runtime host: services, configuration, and explicitly registered functions.</summary>
public sealed class FunctionsApplicationBuilder
{
    private readonly WebApplicationBuilder web;
    private readonly List<FunctionRegistration> functions = [];
    private readonly List<FunctionMiddleware> middleware = [];
    private readonly List<HttpMiddleware> httpMiddleware = [];

    internal FunctionsApplicationBuilder(string[] args)
    {
        web = WebApplication.CreateSlimBuilder(args);
        web.Logging.ClearProviders();
        // One line per request from ASP.NET Core is noise next to FC's own request log; warnings still show.
        web.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        web.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        web.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
            o.UseUtcTimestamp = true;
        });
        // Keep the JSON formatter, drop the console provider's background queue: lines are written as they are logged.
        for (var i = web.Services.Count - 1; i >= 0; i--)
        {
            if (web.Services[i].ServiceType == typeof(ILoggerProvider) && web.Services[i].ImplementationType == typeof(ConsoleLoggerProvider))
            {
                web.Services.RemoveAt(i);
            }
        }

        web.Services.AddSingleton(_ => new ConsoleLines(Output ?? Console.Out));
        web.Services.AddSingleton<ILoggerProvider, SynchronousConsoleLoggerProvider>();
    }

    /// <summary>Where the FC lines and the log lines go. Default: standard output (Function Compute collects it).</summary>
    public TextWriter? Output { get; set; }

    public IServiceCollection Services => web.Services;

    public ConfigurationManager Configuration => web.Configuration;

    public ILoggingBuilder Logging => web.Logging;

    /// <summary>
    /// Where to listen. Default: <c>http://0.0.0.0:$FC_CUSTOM_LISTEN_PORT</c> (9000), as Function Compute requires.
    /// Tests and the local runner use <c>http://127.0.0.1:0</c>.
    /// </summary>
    public string? Urls { get; set; }

    /// <summary>
    /// Registers a function; its trigger is read from the <c>RunAsync</c> method of the known type (no scanning). An
    /// instance serves one HTTP function name, possibly through several classes with distinct routes, one timer and one
    /// EventBridge function.
    /// </summary>
    public FunctionsApplicationBuilder AddFunction<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods | DynamicallyAccessedMemberTypes.PublicConstructors)] TFunction>()
        where TFunction : class
    {
        var registration = FunctionMetadataReader.Read(typeof(TFunction), static sp => sp.GetRequiredService<TFunction>());
        foreach (var other in functions.Where(f => f.Trigger == registration.Trigger))
        {
            if (other.Name != registration.Name || registration.Trigger != TriggerKind.Http)
            {
                throw new InvalidOperationException($"Only one {registration.Trigger} function per instance: {registration.Name} and {other.Name}.");
            }

            if (other.Template?.Text == registration.Template?.Text)
            {
                throw new InvalidOperationException($"{registration.Name}: two classes serve the route '{registration.Template?.Text ?? "*"}'.");
            }
        }

        web.Services.AddScoped<TFunction>();
        functions.Add(registration);
        return this;
    }

    public FunctionsApplicationBuilder UseMiddleware(FunctionMiddleware step)
    {
        middleware.Add(step);
        return this;
    }

    /// <summary>Adds a step around every HTTP function call (after routing and the body limit), e.g. request authentication.</summary>
    public FunctionsApplicationBuilder UseHttpMiddleware(HttpMiddleware step)
    {
        httpMiddleware.Add(step);
        return this;
    }

    public FunctionsApplication Build()
    {
        var urls = Urls ?? ListenUrlFromEnvironment(web.Configuration);
        web.WebHost.UseUrls(urls);
        web.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Bodies over the webhook's limit are still read to the cap so the function can answer 413 itself.
            k.Limits.MaxRequestBodySize = 32 * 1024 * 1024;
        });
        var app = web.Build();
        return new FunctionsApplication(app, [.. functions], [.. middleware], [.. httpMiddleware]);
    }

    private static string ListenUrlFromEnvironment(ConfigurationManager configuration)
    {
        var text = configuration["FC_CUSTOM_LISTEN_PORT"];
        if (string.IsNullOrWhiteSpace(text))
        {
            return "http://0.0.0.0:9000";
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? $"http://0.0.0.0:{port}"
            : throw new Microsoft.Extensions.Options.OptionsValidationException(
                "FC_CUSTOM_LISTEN_PORT", typeof(FunctionsApplication), [$"FC_CUSTOM_LISTEN_PORT must be a port number from 1 to 65535, not '{text}'."]);
    }
}

/// <summary>
/// One registered function class: its name and trigger, its route (HTTP), schedule (timer) or event pattern
/// (EventBridge), and how to make it.
/// </summary>
internal sealed record FunctionRegistration(
    string Name, TriggerKind Trigger, IReadOnlyList<string> Methods, RouteTemplate? Template, string? Schedule, Func<IServiceProvider, object> Create,
    string? FilterPattern = null);

internal static class FunctionMetadataReader
{
    public static FunctionRegistration Read([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicMethods)] Type type, Func<IServiceProvider, object> create)
    {
        var run = type.GetMethod("RunAsync", BindingFlags.Public | BindingFlags.Instance)
            ?? throw new InvalidOperationException($"{type.Name} has no public RunAsync method.");
        var name = run.GetCustomAttribute<FunctionAttribute>()?.Name
            ?? throw new InvalidOperationException($"{type.Name}.RunAsync has no [Function(\"name\")] attribute.");
        var first = run.GetParameters().FirstOrDefault();
        if (first?.GetCustomAttribute<HttpTriggerAttribute>() is { } http && typeof(IHttpFunction).IsAssignableFrom(type))
        {
            return new FunctionRegistration(name, TriggerKind.Http, http.Methods, http.Route is null ? null : RouteTemplate.Parse(http.Route), null, create);
        }

        if (first?.GetCustomAttribute<TimerTriggerAttribute>() is { } timer && typeof(ITimerFunction).IsAssignableFrom(type))
        {
            return new FunctionRegistration(name, TriggerKind.Timer, [], null, timer.Schedule, create);
        }

        if (first?.GetCustomAttribute<EventBridgeTriggerAttribute>() is { } events && typeof(IEventFunction).IsAssignableFrom(type))
        {
            return new FunctionRegistration(name, TriggerKind.EventBridge, [], null, null, create, CheckedPattern(type, events.FilterPattern));
        }

        throw new InvalidOperationException(
            $"{type.Name}.RunAsync's first parameter needs [HttpTrigger] (and the class IHttpFunction), [TimerTrigger] (and ITimerFunction) " +
            "or [EventBridgeTrigger] (and IEventFunction).");
    }

    /// <summary>The pattern must be a JSON object: EventBridge refuses anything else, so a typo fails at start, not at deploy.</summary>
    private static string CheckedPattern(Type type, string pattern)
    {
        try
        {
            using var document = JsonDocument.Parse(pattern);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? pattern
                : throw new InvalidOperationException($"{type.Name}.RunAsync's [EventBridgeTrigger] pattern must be a JSON object, not a {document.RootElement.ValueKind}.");
        }
        catch (JsonException e)
        {
            throw new InvalidOperationException($"{type.Name}.RunAsync's [EventBridgeTrigger] pattern is not JSON: {e.Message}", e);
        }
    }

    /// <summary>The functions as declared: one entry per name, the routes of its classes in registration order.</summary>
    public static IReadOnlyList<FunctionMetadata> Describe(IReadOnlyList<FunctionRegistration> functions) =>
    [
        .. functions.GroupBy(f => (f.Name, f.Trigger)).Select(g => new FunctionMetadata(
            g.Key.Name,
            g.Key.Trigger,
            [.. g.SelectMany(f => f.Methods).Distinct(StringComparer.Ordinal)],
            g.First().Schedule,
            g.Key.Trigger == TriggerKind.Http ? [.. g.Select(f => new FunctionRoute(f.Template?.Text, f.Methods))] : [],
            g.First().FilterPattern)),
    ];
}

/// <summary>The running host: Kestrel plus the Function Compute custom-runtime adapter.</summary>
public sealed class FunctionsApplication : IAsyncDisposable
{
    private readonly WebApplication app;

    internal FunctionsApplication(
        WebApplication app, IReadOnlyList<FunctionRegistration> functions, IReadOnlyList<FunctionMiddleware> middleware, IReadOnlyList<HttpMiddleware> httpMiddleware)
    {
        this.app = app;
        Functions = FunctionMetadataReader.Describe(functions);
        var adapter = new CustomRuntimeAdapter(functions, middleware, httpMiddleware, app.Services, app.Services.GetRequiredService<ILoggerFactory>(),
            app.Services.GetService<TimeProvider>() ?? TimeProvider.System, app.Services.GetRequiredService<ConsoleLines>());
        app.Run(adapter.HandleAsync);
    }

    public static FunctionsApplicationBuilder CreateBuilder(string[] args) => new(args);

    /// <summary>The functions this instance serves, as declared in code.</summary>
    public IReadOnlyList<FunctionMetadata> Functions { get; }

    public IServiceProvider Services => app.Services;

    /// <summary>The address Kestrel bound (after start); with port 0, the port it picked.</summary>
    public Uri? Address =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.Select(a => new Uri(a.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal))).FirstOrDefault();

    public Task StartAsync(CancellationToken cancellationToken = default) => app.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => app.StopAsync(cancellationToken);

    public Task RunAsync(CancellationToken cancellationToken = default) => app.RunAsync(cancellationToken);

    public ValueTask DisposeAsync() => app.DisposeAsync();
}
