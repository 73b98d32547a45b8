using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Oss;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AckFc.Benchmarks;

/// <summary>
/// A 10,000-cluster sweep by the published host (its own process, as on Function Compute) publishing its report set
/// to the directory store, then to the emulated OSS, with the same latency on every emulator call (CS, KMS and OSS).
/// Per store two cold processes: the first sweep and the next day's (which reads the previous report to compare).
/// Prints the publish time (the publisher's own log line: from the comparison's reads to the index entry), the
/// invocation's wall time, what OSS adds, peak RSS of the host, the OSS calls made, and the read probes against OSS.
/// </summary>
internal static class PublishOss
{
    private const string Bucket = "ackfc-reports";
    private const string Prefix = "bench";
    private const string StoreUri = $"oss://{Bucket}/{Prefix}";

    /// <summary>
    /// Reads timed against the published OSS sets after the runs, one row each: the latest lookup the next sweep's
    /// comparison starts with, the latest report itself, and the trend the HTML report draws (the same call the
    /// publisher makes: one list and the index entries, never the reports). Each names what it read.
    /// </summary>
    private static readonly (string Label, Func<IReportStore, Task<string>> Read)[] ReadProbes =
    [
        ("index lookup: the latest entry (ListObjectsV2 max-keys=1 + the entry)", async store =>
            $"{(await store.LoadTrendAsync(1)).Count} entry"),
        ("latest report (lookup + report.json)", async store =>
            $"{(await store.LoadLatestAsync())?.Clusters.Count ?? 0:N0} clusters"),
        ("trend read: the 29 sweeps before a new one (ListObjectsV2 max-keys=29 + each index entry, 8 at a time)", async store =>
            $"{(await store.LoadTrendAsync(ReportTrend.Length - 1, before: DateTimeOffset.Parse(NextTrigger, CultureInfo.InvariantCulture))).Count} sweeps"),
    ];

    /// <summary>The benchmark's two sweeps; the read probes act as the sweep of the day after.</summary>
    private const string FirstTrigger = "2026-11-28T03:00:00Z", NextDayTrigger = "2026-11-29T03:00:00Z", NextTrigger = "2026-11-30T03:00:00Z";

    /// <summary>Earlier daily sweeps' index entries (small JSON objects as the store writes them), so the trend read is full size.</summary>
    private const int SeededSweeps = 28;

    public static async Task<int> RunAsync(string[] args)
    {
        var binary = ColdStart.Option(args, "--binary") ?? "artifacts/aot/AckFc.Functions";
        var size = int.Parse(ColdStart.Option(args, "--clusters") ?? "10000", CultureInfo.InvariantCulture);
        var latency = int.Parse(ColdStart.Option(args, "--latency-ms") ?? "50", CultureInfo.InvariantCulture);
        var rounds = int.Parse(ColdStart.Option(args, "--rounds") ?? "1", CultureInfo.InvariantCulture);
        const int Regions = 10, Keys = 200;
        if (!File.Exists(binary))
        {
            await Console.Error.WriteLineAsync($"{binary} is missing: dotnet publish functions/AckFc.Functions -c Release -r linux-x64 -o artifacts/aot");
            return 2;
        }

        Console.WriteLine($"Publishing reports to OSS: {size:N0} clusters, {Regions} regions, {Keys} keys, {latency} ms per emulator call (CS, KMS, OSS), {Environment.ProcessorCount} cores, {rounds} round(s)");
        Console.WriteLine("| store | sweep | publish | invocation | peak RSS | allocated | OSS calls | PutObject | GetObject | ListObjectsV2 | DeleteObject |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
        var fleet = FleetGenerator.Generate(size, Regions, Keys, seed: 7);
        var publishMs = new Dictionary<(string Store, string Sweep), List<double>>();
        RunningEmulator? last = null;
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                foreach (var store in new[] { "directory", "oss" })
                {
                    // A fresh emulator per store and round: the OSS bucket starts empty like the report directory.
                    if (last is not null)
                    {
                        await last.DisposeAsync();
                    }

                    var emulator = last = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = fleet });
                    emulator.State.Faults.Set(FaultSettings.AllActions, new FaultProfile { LatencyMilliseconds = latency });
                    var reports = Path.Combine(Path.GetTempPath(), "ackfc-publish-" + Guid.NewGuid().ToString("n"));
                    try
                    {
                        foreach (var (label, trigger) in new[] { ("first", FirstTrigger), ("next day", NextDayTrigger) })
                        {
                            var run = await SweepOnceAsync(binary, emulator, reports, trigger, store == "oss");
                            var oss = emulator.State.GetCalls().Where(c => c.Product == "OSS").ToList();
                            int Count(string action) => oss.Count(c => c.Action == action);
                            Console.WriteLine(
                                $"| {store} | {label} | {run.PublishMs / 1000:0.00} s | {run.WallMs / 1000:0.00} s | {run.PeakRssMb:0.0} MB | {run.AllocatedMb:N0} MB | " +
                                $"{oss.Count} | {Count("PutObject")} | {Count("GetObject")} | {Count("ListObjectsV2")} | {Count("DeleteObject")} |");
                            publishMs.TryAdd((store, label), []);
                            publishMs[(store, label)].Add(run.PublishMs);
                        }

                        if (store == "oss" && round == rounds - 1)
                        {
                            await ReadProbesAsync(emulator);
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
            }
        }
        finally
        {
            if (last is not null)
            {
                await last.DisposeAsync();
            }
        }

        foreach (var sweep in new[] { "first", "next day" })
        {
            var directory = Median(publishMs[("directory", sweep)]);
            var oss = Median(publishMs[("oss", sweep)]);
            Console.WriteLine($"OSS adds {(oss - directory) / 1000:0.00} s to the {sweep} sweep's publish (median: directory {directory / 1000:0.00} s, OSS {oss / 1000:0.00} s)");
        }

        return 0;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The read probes in this process, through the real OSS store and client, with the emulator's latency.</summary>
    private static async Task ReadProbesAsync(RunningEmulator emulator)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ACKFC_REPORT_STORE"] = StoreUri,
            ["FC_REGION"] = emulator.State.Regions[0],
            ["ACKFC_OSS_ENDPOINT"] = emulator.Endpoint,
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.Credential.AccessKeySecret,
            ["ALIBABA_CLOUD_CREDENTIALS_FILE"] = Path.Combine(Path.GetTempPath(), "ackfc-no-such-dir", Guid.NewGuid().ToString("N")),
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddAlibabaCloud(configuration).AddAckFcReporting(configuration).BuildServiceProvider();
        // Two passes: the first pays for this (JIT) process's first use of the client and the connection; the second is
        // what a warm instance pays. Each read in a scope of its own, as an invocation has.
        await using (var seeding = services.CreateAsyncScope())
        {
            var oss = (OssReportStore)seeding.ServiceProvider.GetRequiredService<IReportStore>();
            var client = seeding.ServiceProvider.GetRequiredService<IOssClient>();
            var first = DateTimeOffset.Parse(FirstTrigger, CultureInfo.InvariantCulture);
            for (var day = 1; day <= SeededSweeps; day++)
            {
                var time = first.AddDays(-day);
                var id = $"daily-{time:yyyyMMdd'T'HHmmss'Z'}-seeded";
                var entry = new OssIndexEntry(id, $"{Prefix}/sweeps/{time:yyyy-MM-dd}/{id}/", time, 3000 - day, 40, 6960 + day, 10000, true);
                var json = JsonSerializer.SerializeToUtf8Bytes(entry, OssStoreJsonContext.Default.OssIndexEntry);
                await client.PutObjectAsync(new OssBucket(Bucket, emulator.State.Regions[0]), oss.IndexKey(time, id), OssContent.FromBytes(json), new OssPutOptions { ContentType = "application/json" });
            }
        }

        var times = new double[2, ReadProbes.Length];
        var calls = new int[ReadProbes.Length];
        var results = new string[ReadProbes.Length];
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < ReadProbes.Length; i++)
            {
                await using var scope = services.CreateAsyncScope();
                var store = scope.ServiceProvider.GetRequiredService<IReportStore>();
                emulator.State.ResetCalls();
                var clock = Stopwatch.StartNew();
                results[i] = await ReadProbes[i].Read(store);
                times[pass, i] = clock.Elapsed.TotalMilliseconds;
                calls[i] = emulator.State.GetCalls().Count(c => c.Product == "OSS");
            }
        }

        Console.WriteLine();
        Console.WriteLine($"| read (OSS, after both sweeps and {SeededSweeps} seeded earlier index entries) | first | warm | OSS calls | what it read |");
        Console.WriteLine("|---|---|---|---|---|");
        for (var i = 0; i < ReadProbes.Length; i++)
        {
            Console.WriteLine($"| {ReadProbes[i].Label} | {times[0, i]:0} ms | {times[1, i]:0} ms | {calls[i]} | {results[i]} |");
        }
    }

    private sealed record Run(double WallMs, double PublishMs, double PeakRssMb, double AllocatedMb);

    private static async Task<Run> SweepOnceAsync(string binary, RunningEmulator emulator, string reports, string triggerTime, bool toOss)
    {
        var port = HostProcess.FreePort();
        var usage = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var published = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        var extra = new Dictionary<string, string>
        {
            ["Logging__LogLevel__AckFc.Worker"] = "Information",
            ["Logging__LogLevel__AckFc.Core.Reporting.ReportPublisher"] = "Information",
        };
        if (toOss)
        {
            extra["ACKFC_REPORT_STORE"] = StoreUri;
            extra["FC_REGION"] = emulator.State.Regions[0];
            extra["ACKFC_OSS_ENDPOINT"] = emulator.Endpoint;
        }

        using var process = HostProcess.Start(binary, emulator, port, reports, extra, output: line =>
        {
            if (!line.StartsWith('{'))
            {
                return;
            }

            if (line.Contains("\"AllocatedMb\"", StringComparison.Ordinal))
            {
                usage.TrySetResult(JsonDocument.Parse(line).RootElement.GetProperty("State").Clone());
            }
            else if (line.Contains("\"ElapsedMs\"", StringComparison.Ordinal) && line.Contains("ReportPublisher", StringComparison.Ordinal))
            {
                published.TrySetResult(JsonDocument.Parse(line).RootElement.GetProperty("State").Clone());
            }
        });
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(15) };
        try
        {
            await HealthWait.UntilHealthyAsync(client, process, binary, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(5));
            emulator.State.ResetCalls();
            using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
            {
                Content = new StringContent($"{{\"triggerTime\":\"{triggerTime}\",\"triggerName\":\"publish\",\"payload\":\"\"}}", Encoding.UTF8),
            };
            invoke.Headers.Add("x-fc-control-path", "/invoke");
            var clock = Stopwatch.StartNew();
            using var answer = await client.SendAsync(invoke);
            var body = await answer.Content.ReadAsStringAsync();
            var wall = clock.Elapsed.TotalMilliseconds;
            if (!answer.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"/invoke answered {(int)answer.StatusCode}: {body[..Math.Min(body.Length, 2000)]}");
            }

            using (var summary = JsonDocument.Parse(body))
            {
                var files = summary.RootElement.GetProperty("reportFiles").EnumerateArray().Select(f => f.GetString()!).ToList();
                if (summary.RootElement.GetProperty("summary").GetProperty("clusters").GetInt32() != emulator.State.GetClusters().Count
                    || files.Count < 5 || (toOss && !files.All(f => f.StartsWith($"oss://{Bucket}/{Prefix}/", StringComparison.Ordinal))))
                {
                    throw new InvalidOperationException($"The sweep's answer does not list every cluster or its report files: {string.Join(", ", files)}");
                }
            }

            var state = await usage.Task.WaitAsync(TimeSpan.FromSeconds(10));
            var publish = await published.Task.WaitAsync(TimeSpan.FromSeconds(10));
            return new Run(wall, publish.GetProperty("ElapsedMs").GetDouble(), ColdStart.PeakRssMb(process.Id), state.GetProperty("AllocatedMb").GetDouble());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }
}
