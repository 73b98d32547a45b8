using System.Diagnostics;
using System.Globalization;
using AckFc.AlibabaCloud.Signing;
using AckFc.Local.Emulator;

namespace AckFc.Benchmarks;

/// <summary>
/// How many signed requests per second the emulator answers: 32 tasks, each with its own HttpClient, alternate
/// KMS DescribeKey and CS DescribeClustersV1, each request freshly signed (V3) and verified by the emulator.
/// Client and server share the machine, so the figure is a floor for the emulator alone.
/// </summary>
internal static class EmulatorThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var duration = TimeSpan.FromSeconds(Option(args, "--duration", 10));
        var warmup = TimeSpan.FromSeconds(Option(args, "--warmup", 3));
        var concurrency = (int)Option(args, "--concurrency", 32);

        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions(), CancellationToken.None);
        var credential = emulator.Credential;
        Console.WriteLine($"emulator-throughput: {concurrency} tasks, warm-up {warmup.TotalSeconds}s, measured {duration.TotalSeconds}s, " +
                          $"{Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}");

        using var stop = new CancellationTokenSource();
        var measuring = 0;
        var workers = Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
        {
            using var http = new HttpClient { BaseAddress = emulator.BaseAddress };
            var latencies = new List<(bool Kms, long Ticks)>(100_000);
            var errors = 0;
            var kms = i % 2 == 0;
            while (!stop.IsCancellationRequested)
            {
                using var request = kms
                    ? Sign(HttpMethod.Post, "/", [new("KeyId", "key-demo-hz-prod")], "DescribeKey", "2016-01-20", emulator, credential)
                    : Sign(HttpMethod.Get, "/api/v1/clusters", [new("page_size", "10")], "DescribeClustersV1", "2015-12-15", emulator, credential);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead);
                _ = await response.Content.ReadAsByteArrayAsync();
                var elapsed = Stopwatch.GetTimestamp() - started;
                if (Volatile.Read(ref measuring) == 1)
                {
                    latencies.Add((kms, elapsed));
                    if (!response.IsSuccessStatusCode)
                    {
                        errors++;
                    }
                }

                kms = !kms;
            }

            return (latencies, errors);
        })).ToList();

        await Task.Delay(warmup);
        Volatile.Write(ref measuring, 1);
        var clock = Stopwatch.StartNew();
        await Task.Delay(duration);
        Volatile.Write(ref measuring, 0);
        clock.Stop();
        await stop.CancelAsync();
        var results = await Task.WhenAll(workers);

        var all = results.SelectMany(r => r.latencies).ToList();
        var errors = results.Sum(r => r.errors);
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"requests: {all.Count} in {seconds:F1}s = {all.Count / seconds:F0} requests/s, errors: {errors}");
        Report("all", all.Select(l => l.Ticks).ToList(), seconds);
        Report("DescribeKey (KMS)", all.Where(l => l.Kms).Select(l => l.Ticks).ToList(), seconds);
        Report("DescribeClustersV1 (CS)", all.Where(l => !l.Kms).Select(l => l.Ticks).ToList(), seconds);
        return errors == 0 && all.Count > 0 ? 0 : 1;
    }

    private static HttpRequestMessage Sign(
        HttpMethod method, string path, List<KeyValuePair<string, string>> query, string action, string version,
        RunningEmulator emulator, EmulatorCredential credential)
    {
        var headers = new Dictionary<string, string>
        {
            ["host"] = emulator.BaseAddress.Authority,
            ["x-acs-action"] = action,
            ["x-acs-version"] = version,
            ["x-acs-date"] = AcsV3Signer.FormatDate(DateTimeOffset.UtcNow),
            ["x-acs-signature-nonce"] = AcsV3Signer.NewNonce(),
            ["x-acs-content-sha256"] = AcsV3Signer.EmptyPayloadHash,
        };
        var canonicalQuery = AcsV3Signer.CanonicalQuery(query);
        var signature = AcsV3Signer.Sign(method.Method, path, canonicalQuery, headers, AcsV3Signer.EmptyPayloadHash, credential.AccessKeySecret);
        var request = new HttpRequestMessage(method, path + "?" + canonicalQuery);
        foreach (var (name, value) in headers.Where(h => h.Key != "host"))
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        request.Headers.TryAddWithoutValidation("Authorization", signature.AuthorizationHeader(credential.AccessKeyId));
        return request;
    }

    private static void Report(string name, List<long> ticks, double seconds)
    {
        if (ticks.Count == 0)
        {
            return;
        }

        ticks.Sort();
        double Ms(double quantile) => ticks[Math.Min(ticks.Count - 1, (int)(quantile * ticks.Count))] * 1000.0 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {name,-24} {ticks.Count / seconds,8:F0} req/s   p50 {Ms(0.50),6:F2} ms   p99 {Ms(0.99),6:F2} ms"));
    }

    private static double Option(string[] args, string name, double fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
    }
}
