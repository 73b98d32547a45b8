using System.Diagnostics;
using System.Globalization;
using System.Text;
using AckFc.Core.Signatures;
using AckFc.Core.Judging;
using AckFc.Functions;
using AckFc.Local.Emulator;

namespace AckFc.Benchmarks;

/// <summary>
/// The webhook under load: 32 concurrent clients against one published host, the emulator at zero latency.
/// A signed dry-run PUT is a full decision (cluster read, key read, service-key listing, policy); /healthz is the floor.
/// <c>--store dir|oss|both</c> picks the report store, and with it the replay memory: per instance (a directory) or
/// shared on the emulated OSS (one create-only PutObject per signed request); <c>both</c> measures the signed request
/// with each, a fresh host each time, alternating for <c>--rounds</c> rounds (3), and prints the latency the shared memory adds.
/// <c>--oss-latency-ms N</c> delays the emulated PutObject alone, standing in for the OSS round trip of a real claim.
/// </summary>
internal static class WebhookThroughput
{
    private const string KeyId = "bench";

    public static async Task<int> RunAsync(string[] args)
    {
        var binary = ColdStart.Option(args, "--binary") ?? "artifacts/aot/AckFc.Functions";
        var seconds = int.Parse(ColdStart.Option(args, "--duration") ?? "10", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(ColdStart.Option(args, "--concurrency") ?? "32", CultureInfo.InvariantCulture);
        var store = ColdStart.Option(args, "--store") ?? "dir";
        if (store is not ("dir" or "oss" or "both"))
        {
            await Console.Error.WriteLineAsync($"--store must be dir, oss or both, not '{store}'");
            return 2;
        }

        if (!File.Exists(binary))
        {
            await Console.Error.WriteLineAsync($"{binary} is missing: dotnet publish functions/AckFc.Functions -c Release -r linux-x64 -o artifacts/aot");
            return 2;
        }

        // OSS's own round trip, on PutObject alone (the claim): what the internal endpoint costs on the real platform.
        var ossLatency = int.Parse(ColdStart.Option(args, "--oss-latency-ms") ?? "0", CultureInfo.InvariantCulture);
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.Create() });
        if (ossLatency > 0)
        {
            emulator.State.Faults.Set("PutObject", new FaultProfile { LatencyMilliseconds = ossLatency });
        }

        Console.WriteLine($"Webhook throughput: {concurrency} concurrent clients, {seconds} s each, one host instance, emulator latency 0 (PutObject {ossLatency} ms), store {store}");
        Console.WriteLine("| store (replay memory) | request | requests/s | p50 | p99 | errors |");
        Console.WriteLine("|---|---|---|---|---|---|");
        if (store != "both")
        {
            var (_, dry, health) = await RunHostAsync(binary, emulator, store == "oss", concurrency, seconds, withHealth: true);
            Console.WriteLine($"Decision / healthz throughput ratio: {dry.Rate / health!.Value.Rate:0.00}");
            return 0;
        }

        // Alternating rounds (dir, oss, dir, oss, …) so that warming the emulator and a busy machine fall on both alike;
        // the added latency is the median of the rounds' differences.
        var rounds = int.Parse(ColdStart.Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture);
        var added = new List<(double P50, double P99, double Rate)>();
        long claims = 0, measured = 0;
        for (var round = 0; round < rounds; round++)
        {
            var (_, directory, _) = await RunHostAsync(binary, emulator, oss: false, concurrency, seconds, withHealth: false);
            var puts = emulator.State.CountOf("PutObject");
            var (_, shared, _) = await RunHostAsync(binary, emulator, oss: true, concurrency, seconds, withHealth: false);
            claims += emulator.State.CountOf("PutObject") - puts;
            measured += shared.Count;
            added.Add((shared.P50 - directory.P50, shared.P99 - directory.P99, shared.Rate / directory.Rate - 1));
        }

        static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Added by the shared replay memory (median of {rounds} rounds): p50 {Median(added.Select(a => a.P50)):+0.00;-0.00} ms, p99 {Median(added.Select(a => a.P99)):+0.00;-0.00} ms, throughput {Median(added.Select(a => a.Rate)):+0%;-0%}; {claims:N0} claims (PutObject) for {measured:N0} measured requests plus warm-up"));
        return 0;
    }

    private static async Task<(string Store, Measured Dry, Measured? Health)> RunHostAsync(
        string binary, RunningEmulator emulator, bool oss, int concurrency, int seconds, bool withHealth)
    {
        var secret = "benchmark-secret-" + Guid.NewGuid().ToString("n");
        var port = HostProcess.FreePort();
        var reports = Path.Combine(Path.GetTempPath(), "ackfc-webhook-" + Guid.NewGuid().ToString("n"));
        var settings = new Dictionary<string, string>
        {
            ["ACKFC_WEBHOOK_SECRETS"] = $"{KeyId}:{secret}",
            // The client-side limits protect the real API quotas (CS 20/s by default); here the host itself is measured.
            ["ACKFC_CS_QPS"] = "10000",
            ["ACKFC_KMS_QPS"] = "10000",
            // Thousands of signed requests a second fill the default 50,000 within the window: 503s would be measured.
            ["ACKFC_WEBHOOK_REPLAY_CAPACITY"] = "2000000",
        };
        var name = oss ? "oss (shared)" : "dir (per instance)";
        if (oss)
        {
            settings["ACKFC_REPORT_STORE"] = $"oss://ackfc-reports/bench-{Guid.NewGuid():n}";
            settings["ACKFC_OSS_ENDPOINT"] = emulator.Endpoint;
        }

        using var process = HostProcess.Start(binary, emulator, port, reports, settings);
        try
        {
            using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency };
            using var client = new HttpClient(handler) { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            await HealthWait.UntilHealthyAsync(client, process, binary, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(10));

            var counter = 0L;
            async Task<HttpResponseMessage> DryRun()
            {
                const string path = "/clusters/c-demo-hz-analytics/kms";
                var body = Encoding.UTF8.GetBytes($"{{\"kms_key_id\":\"key-demo-hz-spare\",\"dry_run\":true,\"reason\":\"bench {Interlocked.Increment(ref counter)}\"}}");
                var request = new HttpRequestMessage(HttpMethod.Put, path) { Content = new ByteArrayContent(body) };
                request.Headers.TryAddWithoutValidation(AckFcSignature.HeaderName, AckFcSignature.Create(KeyId, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), "PUT", path, body));
                return await client.SendAsync(request);
            }

            var dry = await MeasureAsync(name, "PUT dry_run (full decision)", DryRun, concurrency, seconds);
            var health = withHealth ? await MeasureAsync(name, "GET /healthz", () => client.GetAsync("/healthz"), concurrency, seconds) : (Measured?)null;
            return (name, dry, health);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            if (Directory.Exists(reports))
            {
                Directory.Delete(reports, recursive: true);
            }
        }
    }

    private readonly record struct Measured(double Rate, double P50, double P99, int Count);

    private static async Task<Measured> MeasureAsync(string store, string name, Func<Task<HttpResponseMessage>> send, int concurrency, int seconds)
    {
        // One second of warm-up, then the measured window.
        var warm = DateTime.UtcNow.AddSeconds(1);
        var end = warm.AddSeconds(seconds);
        var latencies = new List<double>[concurrency];
        var errors = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async i =>
        {
            latencies[i] = [];
            while (DateTime.UtcNow < end)
            {
                var clock = Stopwatch.StartNew();
                using var response = await send();
                var ms = clock.Elapsed.TotalMilliseconds;
                if (DateTime.UtcNow < warm)
                {
                    continue;
                }

                if (!response.IsSuccessStatusCode && Interlocked.Increment(ref errors) == 1)
                {
                    await Console.Error.WriteLineAsync($"first error: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }

                latencies[i].Add(ms);
            }
        }));

        var all = latencies.SelectMany(l => l).Order().ToArray();
        var rate = all.Length / (double)seconds;
        var (p50, p99) = (all[all.Length / 2], all[(int)(all.Length * 0.99)]);
        Console.WriteLine($"| {store} | {name} | {rate:N0} | {p50:0.00} ms | {p99:0.00} ms | {errors} |");
        return new(rate, p50, p99, all.Length);
    }
}
