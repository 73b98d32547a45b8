using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace AckFc.Local.Emulator;

/// <summary><c>emulator</c>: serve the emulated region until Ctrl+C or SIGTERM.</summary>
internal static class EmulatorCommand
{
    public const string UpdatingSecondsVariable = "ACKFC_EMULATOR_UPDATING_SECONDS";
    public const string CoolDownSecondsVariable = "ACKFC_EMULATOR_COOLDOWN_SECONDS";
    public const string EventSinksVariable = "ACKFC_EMULATOR_EVENT_SINKS";
    public const string EventDelayVariable = "ACKFC_EMULATOR_EVENT_DELAY_MS";
    public const string EventDuplicateRateVariable = "ACKFC_EMULATOR_EVENT_DUPLICATE_RATE";

    /// <summary>The line that tells scripts where the emulator listens; printed first, alone, on stdout.</summary>
    public const string ListeningPrefix = "Emulator listening on ";

    public static string Usage =>
        """
        Usage: dotnet run --project functions/AckFc.Local -- emulator [options]

        Serves every region of the fleet (ACK/CS and KMS APIs, plus STS and ResourceManager for member
        accounts; signature V3) on one URL.

        Options:
          --urls URL                where to listen (default http://127.0.0.1:0: a free port, printed at start)
          --fleet FILE              fleet file (.yaml, .yml or .json; see docs/emulator.md)
          --demo                    the built-in demo fleet (the default when --fleet is not given)
          --demo-organisation       the demo fleet as a resource directory: the demo account as management
                                    account plus two member accounts (STS AssumeRole, ListAccounts)
          --updating-seconds N      how long UpdateKMSEncryption keeps a cluster 'updating'
                                    (default: $ACKFC_EMULATOR_UPDATING_SECONDS, else 2)
          --cooldown-seconds N      ACK's cool-down after a change, answered with 409
                                    (default: $ACKFC_EMULATOR_COOLDOWN_SECONDS, else 300)
          --faults FILE             fault settings applied at start (JSON, the body of PUT /_emulator/faults)
          --seed N                  seed of the faults' and the event duplicates' random choices (default 1)
          --event-sink URL          post an ActionTrail CloudEvent per KMS/CS write call to URL/invoke, as Function
                                    Compute invokes a function (repeatable; default: $ACKFC_EMULATOR_EVENT_SINKS,
                                    comma-separated, else none: events are only kept, GET /_emulator/events)
          --event-delay-ms N        deliver each event N ms after its call, 0 to 3600000
                                    (default: $ACKFC_EMULATOR_EVENT_DELAY_MS, else 0)
          --event-duplicate-rate R  share (0 to 1) of events delivered twice with the same id
                                    (default: $ACKFC_EMULATOR_EVENT_DUPLICATE_RATE, else 0)
          --quiet                   no log line per request
          -h, --help                this text

        Credentials accepted: ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET when both are set,
        else ackfc-local-key-id / ackfc-local-key-secret-do-not-use-in-production.
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Contains("-h") || args.Contains("--help"))
        {
            await stdout.WriteLineAsync(Usage).ConfigureAwait(false);
            return 0;
        }

        EmulatorOptions options;
        Dictionary<string, FaultProfile>? faults;
        bool quiet;
        try
        {
            (options, faults, quiet) = Parse(args);
        }
        catch (ArgumentException ex)
        {
            await stderr.WriteLineAsync($"emulator: {ex.Message}{Environment.NewLine}{Environment.NewLine}{Usage}").ConfigureAwait(false);
            return 2;
        }

        using var loggerFactory = quiet ? null : LoggerFactory.Create(b => b.AddFilter("Microsoft", LogLevel.Warning).AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        }));
        options.LoggerFactory = loggerFactory;

        RunningEmulator emulator;
        try
        {
            emulator = await EmulatorHost.StartAsync(options, cancellationToken).ConfigureAwait(false);
            if (faults is not null)
            {
                emulator.State.Faults.SetAll(faults);
            }
        }
        catch (Exception ex) when (ex is FleetFileException or ArgumentException or IOException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"emulator: {ex.Message}").ConfigureAwait(false);
            return 1;
        }

        await using (emulator.ConfigureAwait(false))
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

            var state = emulator.State;
            await stdout.WriteLineAsync(ListeningPrefix + emulator.Endpoint).ConfigureAwait(false);
            await stdout.WriteLineAsync($"  fleet:      {options.FleetFile ?? "built-in demo fleet"} ({state.GetClusters().Count} clusters, {state.GetKeys().Count} keys{(state.GetAccounts().Count > 1 ? $", {state.GetAccounts().Count} accounts" : "")})").ConfigureAwait(false);
            await stdout.WriteLineAsync($"  regions:    {string.Join(", ", state.Regions)} (all on this URL)").ConfigureAwait(false);
            await stdout.WriteLineAsync($"  access key: {emulator.Credential.AccessKeyId} ({(emulator.Credential.AccessKeyId == EmulatorOptions.DefaultAccessKeyId ? "the documented local default secret" : "secret from ALIBABA_CLOUD_ACCESS_KEY_SECRET")})").ConfigureAwait(false);
            await stdout.WriteLineAsync($"  updating:   {state.UpdatingDuration.TotalSeconds}s, cool-down {state.CoolDown.TotalSeconds}s").ConfigureAwait(false);
            await stdout.WriteLineAsync($"  admin:      {emulator.Endpoint}/_emulator/state (loopback only)").ConfigureAwait(false);
            await stdout.WriteLineAsync("  events:     " + DescribeEvents(emulator.Events)).ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);

            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C, SIGTERM or the caller: stop cleanly.
            }

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                stop.Cancel();
            }
        }

        return 0;
    }

    internal static (EmulatorOptions Options, Dictionary<string, FaultProfile>? Faults, bool Quiet) Parse(string[] args)
    {
        var options = new EmulatorOptions();
        Dictionary<string, FaultProfile>? faults = null;
        var quiet = false;
        var demo = false;
        if (Environment.GetEnvironmentVariable(UpdatingSecondsVariable) is { Length: > 0 } updating)
        {
            options.UpdatingDuration = Seconds(updating, UpdatingSecondsVariable);
        }

        if (Environment.GetEnvironmentVariable(CoolDownSecondsVariable) is { Length: > 0 } coolDown)
        {
            options.CoolDown = Seconds(coolDown, CoolDownSecondsVariable);
        }

        if (Environment.GetEnvironmentVariable(EventSinksVariable) is { Length: > 0 } sinks)
        {
            foreach (var sink in sinks.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.EventSinks.Add(Sink(sink, EventSinksVariable));
            }
        }

        if (Environment.GetEnvironmentVariable(EventDelayVariable) is { Length: > 0 } delay)
        {
            options.EventDelay = Milliseconds(delay, EventDelayVariable);
        }

        if (Environment.GetEnvironmentVariable(EventDuplicateRateVariable) is { Length: > 0 } rate)
        {
            options.EventDuplicateRate = Rate(rate, EventDuplicateRateVariable);
        }

        var sinksFromFlags = false;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            switch (arg)
            {
                case "--urls":
                    var urls = Value(args, ref i, arg);
                    if (!Uri.TryCreate(urls.Split(';')[0], UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
                    {
                        throw new ArgumentException($"--urls '{urls}' must be an http:// URL such as http://127.0.0.1:8085.");
                    }

                    options.Urls = urls;
                    break;
                case "--fleet":
                    options.FleetFile = Value(args, ref i, arg);
                    break;
                case "--demo":
                    demo = true;
                    break;
                case "--demo-organisation":
                    demo = true;
                    options.Fleet = DemoFleet.CreateOrganisation();
                    break;
                case "--updating-seconds":
                    options.UpdatingDuration = Seconds(Value(args, ref i, arg), arg);
                    break;
                case "--cooldown-seconds":
                    options.CoolDown = Seconds(Value(args, ref i, arg), arg);
                    break;
                case "--seed":
                    var seed = Value(args, ref i, arg);
                    options.Seed = int.TryParse(seed, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s)
                        ? s
                        : throw new ArgumentException($"--seed '{seed}' must be an integer.");
                    break;
                case "--faults":
                    faults = ReadFaults(Value(args, ref i, arg));
                    break;
                case "--quiet":
                    quiet = true;
                    break;
                case "--event-sink":
                    if (!sinksFromFlags)
                    {
                        // Flags replace the sinks of the environment, as every flag wins over its variable.
                        options.EventSinks.Clear();
                        sinksFromFlags = true;
                    }

                    options.EventSinks.Add(Sink(Value(args, ref i, arg), arg));
                    break;
                case "--event-delay-ms":
                    options.EventDelay = Milliseconds(Value(args, ref i, arg), arg);
                    break;
                case "--event-duplicate-rate":
                    options.EventDuplicateRate = Rate(Value(args, ref i, arg), arg);
                    break;
                default:
                    throw new ArgumentException($"unknown option '{arg}'.");
            }
        }

        if (demo && options.FleetFile is not null)
        {
            throw new ArgumentException("--demo and --fleet cannot be combined: choose the demo fleet or a fleet file.");
        }

        return (options, faults, quiet);
    }

    private static string Value(string[] args, ref int i, string name) =>
        i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal)
            ? args[++i]
            : throw new ArgumentException($"{name} needs a value.");

    private static TimeSpan Seconds(string text, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && double.IsFinite(seconds)
            ? TimeSpan.FromSeconds(seconds)
            : throw new ArgumentException($"{name} '{text}' must be a number of seconds, 0 or more.");

    /// <summary>One line on where events go, for the start banner of <c>emulator</c> and <c>serve</c>.</summary>
    internal static string DescribeEvents(EmulatorEvents events)
    {
        var sinks = events.Sinks;
        var where = sinks.Count == 0
            ? "kept only (GET /_emulator/events); no --event-sink"
            : "posted to " + string.Join(", ", sinks.Select(s => s.AbsoluteUri.TrimEnd('/') + "/invoke"));
        return $"ActionTrail events of KMS and CS write calls {where} (delay {events.Delay.TotalMilliseconds:0} ms, duplicates {events.DuplicateRate.ToString(CultureInfo.InvariantCulture)})";
    }

    internal static Uri Sink(string text, string name) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && EmulatorOptions.IsSink(uri)
            ? uri
            : throw new ArgumentException($"{name} '{text}' must be an absolute http:// or https:// URL without a query, such as http://127.0.0.1:9000.");

    internal static TimeSpan Milliseconds(string text, string name) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) && ms <= (long)EmulatorOptions.MaxEventDelay.TotalMilliseconds
            ? TimeSpan.FromMilliseconds(ms)
            : throw new ArgumentException($"{name} '{text}' must be a whole number of milliseconds from 0 to {(long)EmulatorOptions.MaxEventDelay.TotalMilliseconds}.");

    internal static double Rate(string text, string name) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) && rate is >= 0 and <= 1
            ? rate
            : throw new ArgumentException($"{name} '{text}' must be a number from 0 to 1, such as 0.2.");

    private static Dictionary<string, FaultProfile> ReadFaults(string path)
    {
        try
        {
            var faults = JsonSerializer.Deserialize<Dictionary<string, FaultProfile>>(File.ReadAllText(path), AdminApi.JsonOptions)
                ?? throw new ArgumentException($"--faults '{path}' is empty.");
            foreach (var (action, profile) in faults)
            {
                profile.Validate(action);
            }

            return faults;
        }
        catch (Exception ex) when (ex is IOException or JsonException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--faults '{path}' cannot be used: {ex.Message}", ex);
        }
    }
}
