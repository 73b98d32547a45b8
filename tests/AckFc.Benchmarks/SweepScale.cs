using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AckFc.Local.Emulator;

namespace AckFc.Benchmarks;

/// <summary>
/// A sweep of generated fleets by the published host (a separate process, as on Function Compute) against the
/// emulator with per-call latency: wall time of the timer invocation, API calls made against the minimum, and the
/// function process's peak RSS.
/// </summary>
internal static class SweepScale
{
    public static async Task<int> RunAsync(string[] args)
    {
        var binary = ColdStart.Option(args, "--binary") ?? "artifacts/aot/AckFc.Functions";
        var sizes = (ColdStart.Option(args, "--clusters") ?? "1000,10000,50000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var latency = int.Parse(ColdStart.Option(args, "--latency-ms") ?? "50", CultureInfo.InvariantCulture);
        const int Regions = 10, Keys = 200;
        if (!File.Exists(binary))
        {
            await Console.Error.WriteLineAsync($"{binary} is missing: dotnet publish functions/AckFc.Functions -c Release -r linux-x64 -o artifacts/aot");
            return 2;
        }

        Console.WriteLine($"Sweep at scale: {Regions} regions, {Keys} keys, emulator latency {latency} ms per call, {Environment.ProcessorCount} cores");
        Console.WriteLine("| clusters | wall time | calls made | minimum | DescribeClustersV1 | ListKeys | DescribeKey | peak RSS |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var size in sizes)
        {
            var fleet = FleetGenerator.Generate(size, Regions, Keys, seed: 7);
            await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = fleet });
            emulator.State.Faults.Set(FaultSettings.AllActions, new FaultProfile { LatencyMilliseconds = latency });

            // The minimum of the shared-service issue: per region the cluster pages and one service-key listing,
            // per distinct key (in the region of its clusters) one DescribeKey.
            var clusters = emulator.State.GetClusters();
            var minimum = clusters.GroupBy(c => c.RegionId).Sum(g => (int)Math.Ceiling(g.Count() / 100.0) + 1)
                + clusters.Where(c => c.EncryptionKeyId is not null && c.ClusterSpec.StartsWith("ack.pro.", StringComparison.Ordinal))
                    .Select(c => (c.RegionId, c.EncryptionKeyId)).Distinct().Count();

            var (wall, rss) = await SweepOnceAsync(binary, emulator);
            var counters = emulator.State.GetCounters();
            var made = counters.Values.Sum();
            Console.WriteLine(
                $"| {size:N0} | {wall / 1000:0.00} s | {made:N0} | {minimum:N0} | {counters.GetValueOrDefault("DescribeClustersV1"):N0} | " +
                $"{counters.GetValueOrDefault("ListKeys"):N0} | {counters.GetValueOrDefault("DescribeKey"):N0} | {rss:0.0} MB |");
        }

        return 0;
    }

    private static async Task<(double WallMs, double PeakRssMb)> SweepOnceAsync(string binary, RunningEmulator emulator)
    {
        var port = HostProcess.FreePort();
        var reports = Path.Combine(Path.GetTempPath(), "ackfc-scale-" + Guid.NewGuid().ToString("n"));
        using var process = HostProcess.Start(binary, emulator, port, reports);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(15) };
        try
        {
            while (true)
            {
                try
                {
                    using var ok = await client.GetAsync("/healthz");
                    break;
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(5);
                }
            }

            emulator.State.ResetCalls();
            using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
            {
                Content = new StringContent("{\"triggerTime\":\"2026-11-28T03:00:00Z\",\"triggerName\":\"scale\",\"payload\":\"\"}", Encoding.UTF8),
            };
            invoke.Headers.Add("x-fc-control-path", "/invoke");
            var clock = Stopwatch.StartNew();
            using var answer = await client.SendAsync(invoke);
            var wall = clock.Elapsed.TotalMilliseconds;
            if (!answer.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"/invoke answered {(int)answer.StatusCode}");
            }

            return (wall, ColdStart.PeakRssMb(process.Id));
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
}
