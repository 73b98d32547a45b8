using AckFc.Local.Emulator;

namespace AckFc.Local;

/// <summary>The commands of the local runner; each is one entry of <see cref="Commands"/>.</summary>
internal static class LocalCommands
{
    /// <summary>Command name, one-line description, handler (arguments after the name → exit code).</summary>
    private static readonly (string Name, string Description, Func<string[], TextWriter, TextWriter, CancellationToken, Task<int>> Run)[] Commands =
    [
        ("emulator", "only the emulated Alibaba Cloud region (ACK + KMS), every region of the fleet on one URL", EmulatorCommand.RunAsync),
        ("sweep", "the emulated demo fleet plus the real function host: one timer invocation, a table and the report files", Runner.SweepCommand.RunSweepAsync),
        ("serve", "emulator and host kept running, the timer fired on its cron, URLs and a signed curl printed", Runner.SweepCommand.RunServeAsync),
    ];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Length == 0)
        {
            await stderr.WriteLineAsync(Usage()).ConfigureAwait(false);
            return 2;
        }

        if (args[0] is "-h" or "--help" or "help")
        {
            await stdout.WriteLineAsync(Usage()).ConfigureAwait(false);
            return 0;
        }

        foreach (var command in Commands)
        {
            if (command.Name == args[0])
            {
                return await command.Run(args[1..], stdout, stderr, cancellationToken).ConfigureAwait(false);
            }
        }

        await stderr.WriteLineAsync($"Unknown command '{args[0]}'.{Environment.NewLine}{Usage()}").ConfigureAwait(false);
        return 2;
    }

    public static string Usage() =>
        "Usage: dotnet run --project functions/AckFc.Local -- <command> [options]" + Environment.NewLine + Environment.NewLine +
        "Commands:" + Environment.NewLine +
        string.Concat(Commands.Select(c => $"  {c.Name,-10} {c.Description}{Environment.NewLine}")) + Environment.NewLine +
        "Run '<command> --help' for its options.";
}
