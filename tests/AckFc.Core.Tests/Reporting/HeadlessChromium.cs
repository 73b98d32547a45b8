using System.Diagnostics;

namespace AckFc.Core.Tests.Reporting;

/// <summary>
/// Debian's chromium, run headless for one page. Missing chromium fails the test (never skips) with how to get it.
/// </summary>
internal static class HeadlessChromium
{
    private static readonly string[] Candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome", "/usr/bin/google-chrome-stable"];

    public static string Executable
    {
        get
        {
            var configured = Environment.GetEnvironmentVariable("ACKFC_CHROMIUM");
            var found = configured is { Length: > 0 } && File.Exists(configured) ? configured : Candidates.FirstOrDefault(File.Exists);
            Assert.True(found is not null,
                "Headless Chromium is needed to test the HTML report and was not found. Install it with `sudo apt-get install chromium` " +
                "(or set ACKFC_CHROMIUM to a Chromium/Chrome executable).");
            return found!;
        }
    }

    /// <summary>Loads <paramref name="url"/>, lets the page script run, and returns the serialised DOM.</summary>
    public static Task<string> DumpDomAsync(string url) => RunAsync(["--dump-dom", url]);

    /// <summary>Loads <paramref name="url"/> and writes a PNG screenshot of the window.</summary>
    public static async Task ScreenshotAsync(string url, string png, int width = 1400, int height = 1000)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(png)!);
        File.Delete(png);
        await RunAsync([$"--screenshot={png}", $"--window-size={width},{height}", "--hide-scrollbars", url]);
        Assert.True(File.Exists(png), $"chromium wrote no screenshot to {png}");
    }

    private static async Task<string> RunAsync(IEnumerable<string> arguments)
    {
        var profile = Path.Combine(Path.GetTempPath(), "ackfc-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--mute-audio", "--virtual-time-budget=2000",
                     $"--user-data-dir={profile}",
                 }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail("chromium did not finish within 2 minutes: " + await stderr);
            }

            Assert.True(process.ExitCode == 0, $"chromium exited with {process.ExitCode}: {await stderr}");
            return await stdout;
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still be releasing its profile; it is a temp folder.
            }
        }
    }
}
