using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using AckFc.Local;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// One process of the published Native AOT binary, started as Function Compute starts an instance (its environment,
/// <c>FC_CUSTOM_LISTEN_PORT</c>), driven through the custom runtime contract and stopped with SIGTERM. Tests that are
/// about instances start several of these: each has its own memory, nothing is shared but what the cloud holds.
/// </summary>
internal sealed class BinaryHost : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);
    private readonly Process process;
    private readonly StringBuilder output = new();

    private BinaryHost(Process process, Uri address)
    {
        this.process = process;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>Where the process listens (loopback).</summary>
    public Uri Address { get; }

    /// <summary>A client on <see cref="Address"/>.</summary>
    public HttpClient Client { get; }

    /// <summary>Everything the process wrote on stdout and stderr so far.</summary>
    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>Starts the binary with the host environment plus <paramref name="extra"/> variables and waits for <c>/healthz</c>.</summary>
    public static async Task<BinaryHost> StartAsync(string binary, LocalHostEnvironment environment, IReadOnlyDictionary<string, string>? extra = null)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        (environment with { ListenPort = port }).ApplyTo(start.Environment);
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var host = new BinaryHost(Process.Start(start)!, new Uri($"http://127.0.0.1:{port}"));
        host.process.OutputDataReceived += (_, e) => host.Append(e.Data);
        host.process.ErrorDataReceived += (_, e) => host.Append(e.Data);
        host.process.BeginOutputReadLine();
        host.process.BeginErrorReadLine();
        try
        {
            await host.WaitHealthyAsync();
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }

        return host;
    }

    /// <summary>A timer invocation as Function Compute sends it; the HTTP status, <c>x-fc-status</c> and the answer.</summary>
    public async Task<(HttpStatusCode Status, string FcStatus, string Body)> InvokeTimerAsync(
        string requestId, DateTimeOffset triggerTime, string triggerName = "daily", string payload = "{\\\"mode\\\":\\\"report\\\"}")
    {
        var time = triggerTime.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
        {
            Content = new StringContent($$"""{"triggerTime":"{{time}}","triggerName":"{{triggerName}}","payload":"{{payload}}"}"""),
        };
        invoke.Headers.Add("x-fc-control-path", "/invoke");
        invoke.Headers.Add("x-fc-request-id", requestId);
        using var response = await Client.SendAsync(invoke);
        var fc = response.Headers.TryGetValues("x-fc-status", out var values) ? string.Join(",", values) : "";
        return (response.StatusCode, fc, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Stops the process as Function Compute does (SIGTERM) and waits for the end of its output.</summary>
    public async Task StopAsync()
    {
        if (process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var deadline = new CancellationTokenSource(StopTimeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The published binary did not stop within {StopTimeout.TotalSeconds:0} s of SIGTERM.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            using var deadline = new CancellationTokenSource(StopTimeout);
            await process.WaitForExitAsync(deadline.Token);
        }

        process.Dispose();
    }

    private void Append(string? line)
    {
        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private async Task WaitHealthyAsync()
    {
        var clock = Stopwatch.StartNew();
        var last = "no answer yet";
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The published binary exited with {process.ExitCode} before answering /healthz:{Environment.NewLine}{Output}");
            }

            if (clock.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"The published binary did not answer /healthz with 200 within {StartTimeout.TotalSeconds:0} s (last: {last}):{Environment.NewLine}{Output}");
            }

            try
            {
                using var probe = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                using var ok = await Client.GetAsync("/healthz", probe.Token);
                if (ok.IsSuccessStatusCode)
                {
                    return;
                }

                last = $"{(int)ok.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(20);
        }
    }
}
