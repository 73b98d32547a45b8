using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AckFc.Local.Emulator;

namespace AckFc.Benchmarks;

/// <summary>
/// Cold start of the published host: process start to the first answered <c>GET /healthz</c> and to the first answered
/// timer <c>/invoke</c> (a full sweep of the demo fleet against the in-process emulator), AOT and JIT interleaved in one
/// run so both see the same machine, plus each process's peak RSS.
/// </summary>
internal static class ColdStart
{
    public static async Task<int> RunAsync(string[] args)
    {
        var aot = Option(args, "--aot") ?? "artifacts/aot/AckFc.Functions";
        var jit = Option(args, "--jit") ?? "artifacts/jit/AckFc.Functions.dll";
        var runs = int.Parse(Option(args, "--runs") ?? "10", CultureInfo.InvariantCulture);
        foreach (var path in new[] { aot, jit })
        {
            if (!File.Exists(path))
            {
                await Console.Error.WriteLineAsync(
                    $"{path} is missing. Publish both first:{Environment.NewLine}" +
                    $"  dotnet publish functions/AckFc.Functions -c Release -r linux-x64 -o artifacts/aot{Environment.NewLine}" +
                    "  dotnet publish functions/AckFc.Functions -c Release -r linux-x64 -p:PublishAot=false --self-contained -o artifacts/jit");
                return 2;
            }
        }

        await using var emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Fleet = DemoFleet.Create() });
        var results = new Dictionary<string, List<Sample>>(StringComparer.Ordinal) { ["aot"] = [], ["jit"] = [] };
        for (var i = 0; i < runs + 1; i++)
        {
            foreach (var (name, path) in new[] { ("aot", aot), ("jit", jit) })
            {
                var sample = await MeasureAsync(path, emulator);
                if (i > 0)
                {
                    // The first round warms the page cache for both binaries and is not counted.
                    results[name].Add(sample);
                }
            }
        }

        Console.WriteLine($"Cold start, {runs} runs each (interleaved), {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        Console.WriteLine("| build | median to /healthz | min | max | median to first timer /invoke | peak RSS (median) |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var (name, samples) in results)
        {
            Console.WriteLine(
                $"| {name} | {Median(samples.Select(s => s.Healthz)):0.0} ms | {samples.Min(s => s.Healthz):0.0} ms | {samples.Max(s => s.Healthz):0.0} ms | " +
                $"{Median(samples.Select(s => s.Invoke)):0.0} ms | {Median(samples.Select(s => s.PeakRssMb)):0.0} MB |");
        }

        var ratio = Median(results["aot"].Select(s => s.Healthz)) / Median(results["jit"].Select(s => s.Healthz));
        var invokeRatio = Median(results["aot"].Select(s => s.Invoke)) / Median(results["jit"].Select(s => s.Invoke));
        Console.WriteLine($"AOT/JIT ratio: /healthz {ratio:0.00}, first /invoke {invokeRatio:0.00} (target: /healthz at most 0.35, AOT under 150 ms)");
        return 0;
    }

    private sealed record Sample(double Healthz, double Invoke, double PeakRssMb);

    private static async Task<Sample> MeasureAsync(string path, RunningEmulator emulator)
    {
        var port = HostProcess.FreePort();
        var reports = Path.Combine(Path.GetTempPath(), "ackfc-cold-" + Guid.NewGuid().ToString("n"));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        var clock = Stopwatch.StartNew();
        using var process = HostProcess.Start(path, emulator, port, reports);
        try
        {
            await HealthWait.UntilHealthyAsync(client, process, path, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1));
            var healthz = clock.Elapsed.TotalMilliseconds;

            using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
            {
                Content = new StringContent("{\"triggerTime\":\"2026-11-28T03:00:00Z\",\"triggerName\":\"bench\",\"payload\":\"\"}", Encoding.UTF8),
            };
            invoke.Headers.Add("x-fc-control-path", "/invoke");
            using var answer = await client.SendAsync(invoke);
            if (!answer.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"/invoke answered {(int)answer.StatusCode}: {await answer.Content.ReadAsStringAsync()}");
            }

            var invokeMs = clock.Elapsed.TotalMilliseconds;
            return new Sample(healthz, invokeMs, PeakRssMb(process.Id));
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

    /// <summary>VmHWM: the most resident memory the process has had.</summary>
    internal static double PeakRssMb(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return double.Parse(line[6..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024;
            }
        }

        return double.NaN;
    }

    internal static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
