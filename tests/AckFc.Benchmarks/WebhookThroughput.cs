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
/// </summary>
internal static class WebhookThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var binary = ColdStart.Option(args, "--binary") ?? "artifacts/aot/AckFc.Functions";
        var seconds = int.Parse(ColdStart.Option(args, "--duration") ?? "10", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(ColdStart.Option(args, "--concurrency") ?? "32", CultureInfo.InvariantCulture);
        if (!File.Exists(binary))
        {
            await Console.Error.WriteLineAsync($"{binary} is missing: dotnet publish functions/AckFc.Functions -c Release -r linux-x64 -o artifacts/aot");
            return 2;
        }

        const string KeyId = "bench";
        var secret = "benchmark-secret-" + Guid.NewGuid().ToString("n");
        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.Create() });
        var port = HostProcess.FreePort();
        var reports = Path.Combine(Path.GetTempPath(), "ackfc-webhook-" + Guid.NewGuid().ToString("n"));
        using var process = HostProcess.Start(binary, emulator, port, reports, new Dictionary<string, string>
        {
            ["ACKFC_WEBHOOK_SECRETS"] = $"{KeyId}:{secret}",
            // The client-side limits protect the real API quotas (CS 20/s by default); here the host itself is measured.
            ["ACKFC_CS_QPS"] = "10000",
            ["ACKFC_KMS_QPS"] = "10000",
        });
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

            Console.WriteLine($"Webhook throughput: {concurrency} concurrent clients, {seconds} s each, one host instance, emulator latency 0");
            Console.WriteLine("| request | requests/s | p50 | p99 | errors |");
            Console.WriteLine("|---|---|---|---|---|");
            var dry = await MeasureAsync("PUT dry_run (full decision)", DryRun, concurrency, seconds);
            var health = await MeasureAsync("GET /healthz", () => client.GetAsync("/healthz"), concurrency, seconds);
            Console.WriteLine($"Decision / healthz throughput ratio: {dry / health:0.00}");
            return 0;
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<double> MeasureAsync(string name, Func<Task<HttpResponseMessage>> send, int concurrency, int seconds)
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
        Console.WriteLine($"| {name} | {rate:N0} | {all[all.Length / 2]:0.00} ms | {all[(int)(all.Length * 0.99)]:0.00} ms | {errors} |");
        return rate;
    }
}
