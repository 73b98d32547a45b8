using AckFc.Local.Emulator;

namespace AckFc.Local.Tests;

public sealed class LocalCommandsTests
{
    [Theory]
    [InlineData(new string[0], 2)]
    [InlineData(new[] { "frobnicate" }, 2)]
    [InlineData(new[] { "--help" }, 0)]
    [InlineData(new[] { "emulator", "--help" }, 0)]
    [InlineData(new[] { "emulator", "--bogus" }, 2)]
    [InlineData(new[] { "emulator", "--urls" }, 2)]
    [InlineData(new[] { "emulator", "--urls", "https://127.0.0.1:1" }, 2)]
    [InlineData(new[] { "emulator", "--updating-seconds", "-1" }, 2)]
    [InlineData(new[] { "emulator", "--demo", "--fleet", "x.yaml" }, 2)]
    public async Task RunAsync_Arguments_ExitCode(string[] args, int expected)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await LocalCommands.RunAsync(args, stdout, stderr, CancellationToken.None);

        Assert.Equal(expected, code);
        Assert.Contains("Usage:", expected == 0 ? stdout.ToString() : stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_BadFleetFile_ExitOneNamingTheFile()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var code = await LocalCommands.RunAsync(["emulator", "--fleet", "missing-fleet.yaml", "--quiet"], stdout, stderr, CancellationToken.None);

        Assert.Equal(1, code);
        Assert.Contains("missing-fleet.yaml", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_AllOptions_Applied()
    {
        var (options, faults, quiet) = EmulatorCommand.Parse(
            ["--urls", "http://127.0.0.1:8085", "--fleet", "f.yaml", "--updating-seconds", "0.5", "--cooldown-seconds", "10", "--seed", "9", "--quiet"]);

        Assert.Equal("http://127.0.0.1:8085", options.Urls);
        Assert.Equal("f.yaml", options.FleetFile);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.UpdatingDuration);
        Assert.Equal(TimeSpan.FromSeconds(10), options.CoolDown);
        Assert.Equal(9, options.Seed);
        Assert.Null(faults);
        Assert.True(quiet);
    }

    [Fact]
    public async Task RunAsync_Emulator_PrintsListeningLineAndStopsOnCancel()
    {
        using var buffer = new StringWriter();
        var stdout = TextWriter.Synchronized(buffer);
        using var cancel = new CancellationTokenSource();
        string Printed()
        {
            // The synchronized writer locks on itself, so this read cannot meet a half-done write.
            lock (stdout)
            {
                return buffer.ToString();
            }
        }

        var run = LocalCommands.RunAsync(["emulator", "--quiet"], stdout, TextWriter.Null, cancel.Token);
        for (var i = 0; i < 400 && !Printed().Contains(EmulatorCommand.ListeningPrefix, StringComparison.Ordinal); i++)
        {
            await Task.Delay(50);
        }

        var printed = Printed();
        await cancel.CancelAsync();
        var code = await run;

        Assert.Matches(@"^Emulator listening on http://127\.0\.0\.1:\d+\r?\n", printed);
        Assert.Equal(0, code);
    }
}
