using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using AckFc.Local.Emulator;
using AckFc.Local.Tests.Emulator;

namespace AckFc.Local.Tests.Interop;

/// <summary>
/// Runs tests/interop (the official Alibaba Cloud Node SDK against the emulator) as part of <c>dotnet test</c>.
/// A missing node, npm or node_modules fails with the command that fixes it: this test is never skipped.
/// </summary>
public sealed class OfficialSdkInteropTests
{
    [Fact]
    public async Task NpmTest_OfficialSdkAgainstEmulator_AllPass()
    {
        var interop = Path.Combine(FleetLoaderTests.RepoRoot(), "tests", "interop");
        var node = await RunAsync("node", ["--version"], interop, TimeSpan.FromSeconds(30), null);
        Assert.True(node.ExitCode == 0, "node is required for the official-SDK interop test (tests/interop): install Node.js 20 or later.");
        var npm = await RunAsync("npm", ["--version"], interop, TimeSpan.FromSeconds(60), null);
        Assert.True(npm.ExitCode == 0, "npm is required for the official-SDK interop test (tests/interop): install npm with Node.js.");
        Assert.True(
            Directory.Exists(Path.Combine(interop, "node_modules", "@alicloud", "cs20151215")),
            "tests/interop/node_modules is missing: run `npm ci` in tests/interop (it installs the official SDK from the committed lockfile).");
        Assert.True(
            Directory.Exists(Path.Combine(interop, "node_modules", "ali-oss")),
            "tests/interop/node_modules has no ali-oss: run `npm ci` in tests/interop (the lockfile pins ali-oss 6.23.0).");
        foreach (var sdk in new[] { "sts20150401", "resourcemanager20200331" })
        {
            Assert.True(
                Directory.Exists(Path.Combine(interop, "node_modules", "@alicloud", sdk)),
                $"tests/interop/node_modules has no @alicloud/{sdk}: run `npm ci` in tests/interop (the lockfile pins it).");
        }

        // The emulator the script starts is the build this test runs against, not a `dotnet run` rebuild.
        var dll = typeof(EmulatorHost).Assembly.Location;
        var result = await RunAsync("npm", ["test"], interop, TimeSpan.FromMinutes(5), new() { ["ACKFC_LOCAL_DLL"] = dll });

        Assert.True(result.ExitCode == 0, $"npm test failed (exit {result.ExitCode}):{Environment.NewLine}{result.Output}");
        Assert.Contains("# fail 0", result.Output, StringComparison.Ordinal);
        Assert.Matches(@"# pass [1-9]\d*", result.Output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(
        string command, string[] args, string workingDirectory, TimeSpan timeout, Dictionary<string, string>? environment)
    {
        var info = new ProcessStartInfo(command)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? [])
        {
            info.Environment[name] = value;
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        try
        {
            process.Start();
        }
        catch (Win32Exception)
        {
            return (-1, $"{command} was not found on PATH.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            lock (output)
            {
                return (-2, $"{command} {string.Join(' ', args)} did not finish within {timeout}:{Environment.NewLine}{output}");
            }
        }

        process.WaitForExit();
        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }
}
