using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AckFc.Local.Emulator;

namespace AckFc.Benchmarks;

/// <summary>
/// Sweeps of generated fleets by the published host (a separate process, as on Function Compute) against the emulator
/// with per-call latency. Per fleet size two cold processes: the first sweep (no earlier report) and the next day's
/// (the first report is in the report directory, so it is loaded and compared: the steady state of a daily timer).
/// Prints wall time of the timer invocation, API calls made against the minimum, what the invocation allocated (from
/// the host's own usage log line) and the function process's peak RSS.
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
        Console.WriteLine("| clusters | sweep | wall time | calls made | minimum | DescribeClustersV1 | ListKeys | DescribeKey | allocated | gen2 GCs | report.json | peak RSS |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
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

            var reports = Path.Combine(Path.GetTempPath(), "ackfc-scale-" + Guid.NewGuid().ToString("n"));
            try
            {
                foreach (var (label, triggerTime) in new[] { ("first", "2026-11-28T03:00:00Z"), ("next day", "2026-11-29T03:00:00Z") })
                {
                    var run = await SweepOnceAsync(binary, emulator, reports, triggerTime);
                    var counters = emulator.State.GetCounters();
                    var reportSize = new FileInfo(Path.Combine(reports, "latest.json")).Length / 1048576.0;
                    Console.WriteLine(
                        $"| {size:N0} | {label} | {run.WallMs / 1000:0.00} s | {counters.Values.Sum():N0} | {minimum:N0} | {counters.GetValueOrDefault("DescribeClustersV1"):N0} | " +
                        $"{counters.GetValueOrDefault("ListKeys"):N0} | {counters.GetValueOrDefault("DescribeKey"):N0} | {run.AllocatedMb:N0} MB | {run.Gen2} | " +
                        $"{reportSize:0.0} MB | {run.PeakRssMb:0.0} MB |");
                }
            }
            finally
            {
                if (Directory.Exists(reports))
                {
                    Directory.Delete(reports, recursive: true);
                }
            }
        }

        return 0;
    }

    private sealed record Run(double WallMs, double PeakRssMb, double AllocatedMb, int Gen2);

    private static async Task<Run> SweepOnceAsync(string binary, RunningEmulator emulator, string reports, string triggerTime)
    {
        var port = HostProcess.FreePort();
        var usage = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var extra = new Dictionary<string, string> { ["Logging__LogLevel__AckFc.Worker"] = "Information" };
        using var process = HostProcess.Start(binary, emulator, port, reports, extra, output: line =>
        {
            // The host's JSON log line with the invocation's usage (CustomRuntimeAdapter's InvocationUsage).
            if (line.StartsWith('{') && line.Contains("\"AllocatedMb\"", StringComparison.Ordinal))
            {
                usage.TrySetResult(JsonDocument.Parse(line).RootElement.GetProperty("State").Clone());
            }
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(15) };
        try
        {
            await HealthWait.UntilHealthyAsync(client, process, binary, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5));

            emulator.State.ResetCalls();
            using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
            {
                Content = new StringContent($"{{\"triggerTime\":\"{triggerTime}\",\"triggerName\":\"scale\",\"payload\":\"\"}}", Encoding.UTF8),
            };
            invoke.Headers.Add("x-fc-control-path", "/invoke");
            var clock = Stopwatch.StartNew();
            using var answer = await client.SendAsync(invoke);
            var body = await answer.Content.ReadAsByteArrayAsync();
            var wall = clock.Elapsed.TotalMilliseconds;
            if (!answer.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"/invoke answered {(int)answer.StatusCode}");
            }

            using (var report = JsonDocument.Parse(body))
            {
                // The timer answers a summary (contracts §8); the full report is in the store.
                if (report.RootElement.GetProperty("summary").GetProperty("clusters").GetInt32() != emulator.State.GetClusters().Count)
                {
                    throw new InvalidOperationException("The report does not list every cluster of the fleet.");
                }
            }

            var state = await usage.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return new Run(wall, ColdStart.PeakRssMb(process.Id), state.GetProperty("AllocatedMb").GetDouble(), state.GetProperty("Gen2Collections").GetInt32());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
