namespace AckFc.Benchmarks;

/// <summary>The benchmark commands; each is one entry of <see cref="Commands"/>.</summary>
internal static class BenchmarkCommands
{
    private static readonly (string Name, string Description, Func<string[], Task<int>> Run)[] Commands =
    [
        ("emulator-throughput", "signed DescribeKey + DescribeClustersV1 requests/s the in-process emulator serves", EmulatorThroughput.RunAsync),
        ("cold-start", "published AOT vs JIT host: process start to first /healthz and first timer /invoke, peak RSS", ColdStart.RunAsync),
        ("sweep-scale", "generated fleets swept by the published host: wall time, calls vs minimum, peak RSS", SweepScale.RunAsync),
        ("publish-oss", "a 10,000-cluster sweep published to the directory store vs the emulated OSS at 50 ms per call: publish time, peak RSS, OSS calls, latest lookup, latest report and the 30-sweep trend read", PublishOss.RunAsync),
        ("webhook-throughput", "32 clients against one published host: signed dry-run decisions and /healthz, requests/s and latency; --store dir|oss|both for the replay memory (--rounds, --oss-latency-ms)", WebhookThroughput.RunAsync),
        ("guard-latency", "key guard, 1,000 clusters on one key at 50 ms per call: DisableKey event at /invoke to the EnableKey issued, calls per event", GuardLatency.RunAsync),
        ("micro", "BenchmarkDotNet: signing, parsing a 100-cluster page, judging a cluster, a 10,000-cluster HTML report, the 30-sweep trend", MicroBenchmarks.RunAsync),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var index = args.Length == 0 ? -1 : Array.FindIndex(Commands, c => c.Name == args[0]);
        if (index < 0)
        {
            await Console.Error.WriteLineAsync(
                (args.Length == 0 ? "" : $"Unknown benchmark '{args[0]}'.{Environment.NewLine}") +
                "Usage: dotnet run -c Release --project tests/AckFc.Benchmarks -- <benchmark> [options]" + Environment.NewLine +
                string.Concat(Commands.Select(c => $"  {c.Name,-22} {c.Description}{Environment.NewLine}")));
            return 2;
        }

        return await Commands[index].Run(args[1..]);
    }
}
