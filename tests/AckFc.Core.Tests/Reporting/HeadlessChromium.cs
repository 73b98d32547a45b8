using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

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

    /// <summary>
    /// Loads <paramref name="url"/> in a real (laid-out) page, lets its script run, and evaluates the JavaScript
    /// <paramref name="expression"/> through the DevTools protocol: layout questions (sizes, visibility) that a DOM
    /// dump cannot answer. The expression's value comes back as JSON. DevTools evaluation is not page script, so the
    /// page's Content-Security-Policy stays as it is.
    /// </summary>
    public static async Task<JsonElement> EvaluateAsync(string url, string expression, int width = 1400, int height = 1000)
    {
        var profile = Path.Combine(Path.GetTempPath(), "ackfc-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var start = new ProcessStartInfo(Executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in CommonArguments(profile).Concat([$"--window-size={width},{height}", "--remote-debugging-port=0", "about:blank"]))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            // Chromium announces its DevTools endpoint on stderr: "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID".
            var log = new StringBuilder();
            Uri? endpoint = null;
            while (endpoint is null)
            {
                var line = await process.StandardError.ReadLineAsync(timeout.Token);
                Assert.True(line is not null, "chromium exited before it opened DevTools: " + log);
                log.AppendLine(line);
                if (Regex.Match(line!, "DevTools listening on (ws://\\S+)") is { Success: true } m)
                {
                    endpoint = new Uri(m.Groups[1].Value);
                }
            }

            _ = process.StandardError.ReadToEndAsync();
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(endpoint, timeout.Token);
            var devTools = new DevToolsSession(socket);
            var target = await devTools.SendAsync("Target.createTarget", new JsonObject { ["url"] = url }, null, timeout.Token);
            var attached = await devTools.SendAsync(
                "Target.attachToTarget", new JsonObject { ["targetId"] = target.GetProperty("targetId").GetString(), ["flatten"] = true }, null, timeout.Token);
            var session = attached.GetProperty("sessionId").GetString();
            string? state = null;
            while (state != "complete")
            {
                await Task.Delay(100, timeout.Token);
                state = (await EvaluateInAsync(devTools, session, "document.readyState", timeout.Token)).GetString();
            }

            // The page script runs on load; one more frame lets it finish filtering before the question is asked.
            await EvaluateInAsync(devTools, session, "new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))", timeout.Token);
            return await EvaluateInAsync(devTools, session, expression, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            Assert.Fail("chromium did not answer within 2 minutes");
            throw;
        }
        finally
        {
            // The answer is in: the browser (started here, and only it) has nothing left to do.
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            await process.WaitForExitAsync(CancellationToken.None);
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

    private static async Task<JsonElement> EvaluateInAsync(DevToolsSession devTools, string? session, string expression, CancellationToken cancellationToken)
    {
        var result = await devTools.SendAsync(
            "Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, session, cancellationToken);
        Assert.False(result.TryGetProperty("exceptionDetails", out var error), "the expression threw in the page: " + error);
        return result.GetProperty("result").TryGetProperty("value", out var value) ? value.Clone() : default;
    }

    /// <summary>Commands over the DevTools WebSocket, one at a time; events in between are skipped.</summary>
    private sealed class DevToolsSession(ClientWebSocket socket)
    {
        private int next;

        public async Task<JsonElement> SendAsync(string method, JsonObject parameters, string? sessionId, CancellationToken cancellationToken)
        {
            var id = ++next;
            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
            if (sessionId is not null)
            {
                message["sessionId"] = sessionId;
            }

            await socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            var buffer = new byte[64 * 1024];
            while (true)
            {
                using var received = new MemoryStream();
                WebSocketReceiveResult chunk;
                do
                {
                    chunk = await socket.ReceiveAsync(buffer, cancellationToken);
                    Assert.True(chunk.MessageType != WebSocketMessageType.Close, $"chromium closed DevTools while waiting for {method}");
                    received.Write(buffer, 0, chunk.Count);
                }
                while (!chunk.EndOfMessage);

                using var answer = JsonDocument.Parse(received.ToArray());
                if (!answer.RootElement.TryGetProperty("id", out var answered) || answered.GetInt32() != id)
                {
                    continue;
                }

                Assert.False(answer.RootElement.TryGetProperty("error", out var error), $"DevTools refused {method}: {error}");
                return answer.RootElement.GetProperty("result").Clone();
            }
        }
    }

    private static string[] CommonArguments(string profile) =>
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--mute-audio", $"--user-data-dir={profile}",
    ];

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
