using System.Diagnostics;
using System.Text;

namespace AckFc.Local.Tests;

/// <summary>
/// Issue 17 item 19: <c>serve</c> stops gracefully on SIGTERM (what <c>timeout</c>, containers, systemd and CI send),
/// not only on Ctrl+C. The real local runner as a process of its own, signalled like those would.
/// </summary>
public sealed class ServeSignalTests : IDisposable
{
    private readonly string reports = Path.Combine(Path.GetTempPath(), "ackfc-serve-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(reports))
        {
            Directory.Delete(reports, recursive: true);
        }
    }

    /// <summary>Sends <paramref name="signal"/> with kill(1), as timeout(1) or a container runtime would.</summary>
    private static async Task SignalAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill", ["-s", signal, pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]))!;
        await kill.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(0, kill.ExitCode);
    }

    [Theory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public async Task Serve_Signal_StopsWithinSecondsWithExitCodeZero(string name)
    {
        Assert.True(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "POSIX signals: this test runs on Linux or macOS");
        var local = Path.Combine(AppContext.BaseDirectory, "AckFc.Local.dll");
        Assert.True(File.Exists(local), $"AckFc.Local.dll is not next to the tests ({AppContext.BaseDirectory})");
        var start = new ProcessStartInfo("dotnet", ["exec", local, "serve", "--report-dir", reports])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Next timer invocation", StringComparison.Ordinal) == true)
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var started = await Task.WhenAny(ready.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(120)));
            Assert.True(ready.Task.IsCompleted, $"serve did not report its timer within 120 s (exited: {process.HasExited}):\n{Text(output)}");

            var signalled = Stopwatch.StartNew();
            await SignalAsync(process.Id, name);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await process.WaitForExitAsync(deadline.Token);
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"serve still ran 15 s after {name}:\n{Text(output)}");
            }

            Assert.True(signalled.Elapsed < TimeSpan.FromSeconds(10), $"serve took {signalled.Elapsed.TotalSeconds:0.0} s to stop after {name}");
            Assert.True(process.ExitCode == 0, $"exit code {process.ExitCode} after {name}:\n{Text(output)}");
            Assert.Contains("Stopping: host and emulator shut down.", Text(output), StringComparison.Ordinal);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
