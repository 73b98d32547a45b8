using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json;
using AckFc.Functions;
using AckFc.Local;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Logging;

namespace AckFc.Benchmarks;

/// <summary>
/// The key guard from event to protective call: one emulated region of 1,000 clusters sharing one key, every cloud
/// call 50 ms slower, the real host built in-process with the guard function. Each run disables the key silently on
/// the emulator, posts one <c>DisableKey</c> CloudEvent to <c>/invoke</c> as Function Compute does, and takes the time
/// until the emulator logged the guard's <c>EnableKey</c>, plus the calls the event cost by action.
/// </summary>
internal static class GuardLatency
{
    private const string Region = "cn-hangzhou";
    private const string KeyId = "key-guard-bench-0001";
    private const int WarmUps = 3;
    private const double GoalSeconds = 0.5;

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = int.Parse(ColdStart.Option(args, "--runs") ?? "50", CultureInfo.InvariantCulture);
        var latency = int.Parse(ColdStart.Option(args, "--latency-ms") ?? "50", CultureInfo.InvariantCulture);
        var clusters = int.Parse(ColdStart.Option(args, "--clusters") ?? "1000", CultureInfo.InvariantCulture);
        // Between events the client's CS token bucket (20 requests/s by default) refills, as it would between real events.
        var pause = int.Parse(ColdStart.Option(args, "--pause-ms") ?? "1000", CultureInfo.InvariantCulture);
        if (runs < 1 || runs + WarmUps > 1000 || latency < 0 || clusters < 1 || pause < 0)
        {
            await Console.Error.WriteLineAsync("--runs must be 1 to 997, --clusters at least 1, --latency-ms and --pause-ms not negative.");
            return 2;
        }

        var work = Path.Combine(Path.GetTempPath(), "ackfc-guard-latency-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(work);
        try
        {
            return await MeasureAsync(runs, latency, clusters, pause, work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static async Task<int> MeasureAsync(int runs, int latency, int clusterCount, int pause, string work)
    {
        // Two keys the emulator accepts: the person who disables the key, and the host's own (an AckFc role).
        var person = new EmulatorCredential(EmulatorOptions.DefaultAccessKeyId, EmulatorOptions.DefaultAccessKeySecret);
        var hostCredential = new EmulatorCredential("ackfc-bench-host-key-id", Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)))
        {
            Identity = new EmulatorIdentity("assumed-role", "ackfc-guard:benchmark"),
        };
        var options = new EmulatorOptions { Fleet = Fleet(clusterCount) };
        options.Credentials.Add(person);
        options.Credentials.Add(hostCredential);
        await using var emulator = await EmulatorHost.StartAsync(options);
        emulator.State.Faults.Set(FaultSettings.AllActions, new FaultProfile { LatencyMilliseconds = latency });

        var policy = Path.Combine(work, "policy.yaml");
        await File.WriteAllTextAsync(policy, $"""
            version: 1
            guard:
              actions: {"{"} enableKey: true {"}"}
              enforcement:
                default: enforce
              maxActionsPerHour: 1000
            """);
        var environment = LocalHostEnvironment.For(emulator) with
        {
            AccessKeyId = hostCredential.AccessKeyId,
            AccessKeySecret = hostCredential.AccessKeySecret,
            SecurityToken = null,
            PolicyFile = policy,
            ReportDirectory = Path.Combine(work, "reports"),
            Function = "guard",
        };
        await using var host = FunctionsHost.Build(environment.Arguments(), builder =>
        {
            builder.Urls = "http://127.0.0.1:0";
            builder.Logging.SetMinimumLevel(LogLevel.Error);
        });
        await host.StartAsync();
        using var client = new HttpClient { BaseAddress = host.Address, Timeout = TimeSpan.FromSeconds(60) };

        Console.WriteLine(
            $"Key guard latency: 1 region, {clusterCount:N0} clusters on one key, emulator latency {latency} ms per call, " +
            $"{WarmUps} warm-up + {runs} runs, {pause} ms apart, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        var samples = new List<Sample>(runs);
        for (var i = 0; i < WarmUps + runs; i++)
        {
            if (i > 0 && pause > 0)
            {
                await Task.Delay(pause);
            }

            var sample = await RunOnceAsync(client, emulator, person, latency);
            if (i >= WarmUps)
            {
                samples.Add(sample);
            }
        }

        Print(samples, clusterCount, latency);
        return 0;
    }

    private sealed record Sample(double ToIssuedMs, double ToAppliedMs, double ToAnswerMs, IReadOnlyDictionary<string, long> Calls, int AnsweredCalls);

    private static async Task<Sample> RunOnceAsync(HttpClient client, RunningEmulator emulator, EmulatorCredential person, int latency)
    {
        var state = emulator.State;
        state.DisableKey(KeyId);
        var before = state.GetCounters();
        var body = DisableKeyEvent(state, person);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/invoke") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add("x-fc-control-path", "/invoke");
        request.Headers.Add("x-fc-request-id", Guid.NewGuid().ToString("D"));
        var posted = state.Time.GetUtcNow();
        var clock = Stopwatch.StartNew();
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var toAnswer = clock.Elapsed.TotalMilliseconds;
        if (!response.IsSuccessStatusCode || (response.Headers.TryGetValues("x-fc-status", out var fc) && fc.First() != "200"))
        {
            throw new InvalidOperationException($"/invoke answered {(int)response.StatusCode}: {text}");
        }

        // The call log stamps a call when the emulator answers it, after the injected latency: the guard sent it that much earlier.
        var enable = state.GetCalls().LastOrDefault(c => c.Action == "EnableKey" && c.Time >= posted)
            ?? throw new InvalidOperationException($"The guard made no EnableKey call for the event; it answered: {text}");
        if (enable.Status != 200 || state.GetKey(KeyId)?.KeyState != "Enabled")
        {
            throw new InvalidOperationException($"EnableKey answered {enable.Status} {enable.ErrorCode}; the guard answered: {text}");
        }

        var after = state.GetCounters();
        var calls = after.ToDictionary(p => p.Key, p => p.Value - before.GetValueOrDefault(p.Key), StringComparer.Ordinal);
        var applied = (enable.Time - posted).TotalMilliseconds;
        return new Sample(applied - latency, applied, toAnswer, calls, AnsweredCalls(text));
    }

    /// <summary>The guard's own count of cloud calls for the event (<c>events[0].cloudCalls</c>).</summary>
    private static int AnsweredCalls(string answer)
    {
        using var json = JsonDocument.Parse(answer);
        return json.RootElement.GetProperty("events")[0].GetProperty("cloudCalls").GetInt32();
    }

    /// <summary>A fresh <c>DisableKey</c> event by a RAM user, built as the emulator builds the events of its write calls.</summary>
    private static byte[] DisableKeyEvent(EmulatorState state, EmulatorCredential person)
    {
        var call = new ActionTrailCall
        {
            Product = Product.Kms,
            EventName = "DisableKey",
            RegionId = Region,
            AccountId = state.AccountId,
            Resource = "key/" + KeyId,
            RequestId = Guid.NewGuid().ToString("D").ToUpperInvariant(),
            Time = state.Time.GetUtcNow(),
            SourceIpAddress = "192.0.2.10",
            UserAgent = "ackfc-benchmark/guard-latency",
            EventSource = $"kms.{Region}.aliyuncs.com",
            Identity = EmulatorIdentity.DefaultUser,
            AccessKeyId = person.AccessKeyId,
            WriteParameters = w => w.WriteString("KeyId", KeyId),
        };
        return System.Text.Encoding.UTF8.GetBytes(ActionTrailEvent.Build(call, state.Time.GetUtcNow()).Json);
    }

    /// <summary>One region, one healthy key, every cluster an ACK Pro cluster encrypting its Secrets with it.</summary>
    private static FleetDefinition Fleet(int clusters)
    {
        var fleet = new FleetDefinition { Regions = [Region] };
        fleet.Keys.Add(new KeyDefinition
        {
            KeyId = KeyId,
            RegionId = Region,
            Aliases = ["alias/ackfc-guard-bench"],
            DeletionProtection = true,
            AutomaticRotation = "Enabled",
            RotationInterval = "31536000s",
            CreationDate = "2024-01-01T00:00:00Z",
        });
        for (var i = 0; i < clusters; i++)
        {
            fleet.Clusters.Add(new ClusterDefinition
            {
                ClusterId = $"c-guard-{i.ToString("D6", CultureInfo.InvariantCulture)}",
                RegionId = Region,
                ClusterSpec = "ack.pro.small",
                Tags = new() { ["env"] = i % 3 == 0 ? "prod" : "dev" },
                Created = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                Encryption = new EncryptionDefinition { KmsKeyId = KeyId },
            });
        }

        return fleet;
    }

    private static void Print(List<Sample> samples, int clusterCount, int latency)
    {
        var goalCalls = (int)Math.Ceiling(clusterCount / 100.0) + 2;
        Console.WriteLine("| from the POST to /invoke to | p50 | p90 | p99 | max |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var (label, pick) in new (string, Func<Sample, double>)[]
                 {
                     ($"EnableKey received by the emulator (logged time - {latency} ms)", s => s.ToIssuedMs),
                     ("EnableKey answered (logged time)", s => s.ToAppliedMs),
                     ("the guard's answer back", s => s.ToAnswerMs),
                 })
        {
            var values = samples.Select(pick).Order().ToArray();
            Console.WriteLine($"| {label} | {Ms(Percentile(values, 50))} | {Ms(Percentile(values, 90))} | {Ms(Percentile(values, 99))} | {Ms(values[^1])} |");
        }

        var actions = samples.SelectMany(s => s.Calls.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Console.WriteLine();
        Console.WriteLine("| calls per event | " + string.Join(" | ", actions) + " | total | guard's own count |");
        Console.WriteLine("|---|" + string.Concat(actions.Select(_ => "---|")) + "---|---|");
        foreach (var group in samples.GroupBy(s => string.Join(',', actions.Select(a => s.Calls.GetValueOrDefault(a))) + "/" + s.AnsweredCalls))
        {
            var s = group.First();
            Console.WriteLine($"| {group.Count()} of {samples.Count} runs | " + string.Join(" | ", actions.Select(a => s.Calls.GetValueOrDefault(a).ToString(CultureInfo.InvariantCulture)))
                + $" | {s.Calls.Values.Sum()} | {s.AnsweredCalls} |");
        }

        var p99 = Percentile([.. samples.Select(s => s.ToIssuedMs).Order()], 99) / 1000;
        var maxCalls = samples.Max(s => s.Calls.Values.Sum());
        Console.WriteLine();
        Console.WriteLine(
            $"Goals: EnableKey issued within {GoalSeconds} s of the POST: p99 {p99:0.000} s ({(p99 <= GoalSeconds ? "met" : "NOT met")}); " +
            $"calls per event at most ceil({clusterCount}/100) + 2 = {goalCalls}: at most {maxCalls} ({(maxCalls <= goalCalls ? "met" : "NOT met")}).");
    }

    /// <summary>Nearest rank on sorted values.</summary>
    private static double Percentile(double[] sorted, int p) => sorted[Math.Clamp((int)Math.Ceiling(p / 100.0 * sorted.Length) - 1, 0, sorted.Length - 1)];

    private static string Ms(double ms) => ms.ToString("0.0", CultureInfo.InvariantCulture) + " ms";
}
