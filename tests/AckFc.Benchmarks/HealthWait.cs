using System.Diagnostics;
using System.Net;

namespace AckFc.Benchmarks;

/// <summary>Waits for a started host to answer <c>GET /healthz</c> with 200, or fails saying why: it never hangs a run.</summary>
internal static class HealthWait
{
    public static async Task UntilHealthyAsync(HttpClient client, Process process, string what, TimeSpan limit, TimeSpan pause)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var left = limit - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"{what} did not answer /healthz with 200 within {limit.TotalSeconds:0} s.");
            }

            // One probe may take no longer than the time left, whatever the client's own timeout (minutes for a sweep).
            using var probe = new CancellationTokenSource(left);
            try
            {
                using var response = await client.GetAsync(new Uri("/healthz", UriKind.Relative), probe.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (probe.IsCancellationRequested)
            {
                throw new TimeoutException($"{what} accepted /healthz but did not answer within {limit.TotalSeconds:0} s.");
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"{what} exited (code {process.ExitCode}) before answering /healthz.");
            }

            await Task.Delay(pause);
        }
    }
}
