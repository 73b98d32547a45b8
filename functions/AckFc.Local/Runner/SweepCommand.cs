using System.Text.Json;
using AckFc.Core.Reporting;
using AckFc.Local.Emulator;
using Cronos;
using Microsoft.Extensions.DependencyInjection;

namespace AckFc.Local.Runner;

/// <summary><c>sweep</c> (the README's first command) and <c>serve</c>.</summary>
internal static class SweepCommand
{
    public const string SweepUsage =
        """
        Usage: dotnet run --project functions/AckFc.Local -- sweep [options]

        Starts the emulated region (demo fleet) and the real AckFc host, fires one timer invocation through the
        Function Compute contract (POST /invoke), prints the clusters and findings and where the reports are.

        Options:
          --mode report|remediate   what the sweep does (default report)
          --fleet FILE              a fleet file instead of the demo fleet (docs/emulator.md)
          --policy FILE             a policy instead of the demo policy (docs/policy.md)
          --report-dir DIR          where reports go (default ./reports)
          --verbose                 the host's log lines too (audit records, sweep progress)

        A real account instead of the demo fleet: sweep --cloud --profile NAME --regions cn-hangzhou (sweep --cloud --help).
        """;

    public const string ServeUsage =
        """
        Usage: dotnet run --project functions/AckFc.Local -- serve [options]

        Keeps the emulated region and the AckFc host running, fires the timer on the compliance function's own cron,
        and prints the URLs and a signed curl for the webhook. Ctrl+C or SIGTERM stops (exit code 0).

        Reports go to the emulated OSS (bucket ackfc-reports, prefix local/) and each sweep prints a presigned link to
        its HTML report; --report-dir DIR writes them to a directory instead.

        Every timer invocation runs on a fresh host instance, as on Function Compute: what it knows of the previous
        sweep comes from the report store only. Notifications go to the emulator's inbox (GET /_emulator/notifications)
        and each sweep prints what it compared with and what it notified: change-only, across the restarts.

        Every KMS and CS write call (signed API or admin surface) posts an ActionTrail CloudEvent to the host's /invoke,
        as an EventBridge trigger would, so the key guard reacts to a key being disabled (docs/emulator.md).

        Options: --fleet FILE, --policy FILE, --report-dir DIR, --port N (host port, default a free one), --verbose,
                 --timer-every DURATION (fire the timer every 30s, 5m, 1h… instead of on its cron),
                 --event-delay-ms N (deliver events N ms after their call, 0 to 3600000; default 0),
                 --event-duplicate-rate R (share 0 to 1 of events delivered twice with the same id; default 0)
        """;

    public static async Task<int> RunSweepAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Contains("--cloud"))
        {
            return await CloudSweepCommand.RunAsync(args, stdout, stderr, cancellationToken);
        }

        if (args.Contains("-h") || args.Contains("--help"))
        {
            await stdout.WriteLineAsync(SweepUsage);
            return 0;
        }

        if (!TryParse(args, stderr, SweepUsage, serve: false, out var settings, out var mode, out _))
        {
            return 2;
        }

        await using var stack = await LocalRun.StartAsync(settings, cancellationToken);
        await stdout.WriteLineAsync($"Emulated Alibaba Cloud region: {stack.Emulator.Endpoint} ({string.Join(", ", stack.Regions)})");
        await stdout.WriteLineAsync($"AckFc function host:           {stack.HostAddress}");
        await stdout.WriteLineAsync($"Firing the timer: POST /invoke, payload {{\"mode\":\"{mode}\"}} …");
        var (report, status, body) = await stack.FireTimerAsync($"{{\"mode\":\"{mode}\"}}", DateTimeOffset.UtcNow, cancellationToken);
        if (report is null)
        {
            await stderr.WriteLineAsync($"The compliance function failed (HTTP {status}): {body}");
            return 1;
        }

        new ConsoleReportTable(stdout, ConsoleReportTable.ColourWanted()).Write(report);
        await stdout.WriteLineAsync();
        await WriteReportFilesAsync(stdout, settings.ReportDirectory, report.SweepId);
        if (status != 200)
        {
            // The report was written, but Function Compute would count this sweep as failed (contracts §2).
            await stderr.WriteLineAsync($"The sweep is incomplete (HTTP {status}): {body}");
            return 1;
        }

        return 0;
    }

    public static async Task<int> RunServeAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (args.Contains("-h") || args.Contains("--help"))
        {
            await stdout.WriteLineAsync(ServeUsage);
            return 0;
        }

        if (!TryParse(args, stderr, ServeUsage, serve: true, out var settings, out _, out var port))
        {
            return 2;
        }

        TimeSpan? every = null;
        var everyAt = Array.IndexOf(args, "--timer-every");
        if (everyAt >= 0 && !TryParseEvery(args[everyAt + 1], out every))
        {
            await stderr.WriteLineAsync($"--timer-every must be a duration from 1s to 1d such as 30s, 5m or 1h, not '{args[everyAt + 1]}'{Environment.NewLine}{Environment.NewLine}{ServeUsage}");
            return 2;
        }

        // The emulator outlives every sweep here, so reports live in its OSS (sweep keeps files: its emulator stops at exit).
        settings = settings with { Urls = $"http://127.0.0.1:{port}", ReportsOnOss = !args.Contains("--report-dir"), EventsToHost = true, NotifyInbox = true };
        await using var stack = await LocalRun.StartAsync(settings, cancellationToken);
        var schedule = stack.Host.Functions.First(f => f.Trigger == Worker.TriggerKind.Timer).Schedule!;
        var (cron, zone) = ParseSchedule(schedule);
        await stdout.WriteLineAsync($"Emulated Alibaba Cloud region: {stack.Emulator.Endpoint} (admin: {stack.Emulator.Endpoint}/_emulator/calls)");
        await stdout.WriteLineAsync($"AckFc function host:           {stack.HostAddress} (GET /healthz)");
        await stdout.WriteLineAsync($"Timer:                         {(every is not null ? $"every {args[everyAt + 1]} (--timer-every; its cron is {schedule})" : schedule)}, each invocation on a fresh host instance");
        await stdout.WriteLineAsync($"Notifications:                 {stack.Emulator.Endpoint}/_emulator/notifications (change-only)");
        await stdout.WriteLineAsync($"Events:                        {Emulator.EmulatorCommand.DescribeEvents(stack.Emulator.Events)}");
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync("Disable a key and watch the guard react (an operator's console operation; signed SDK calls work too):");
        await stdout.WriteLineAsync($"  curl -sS -X POST '{stack.Emulator.Endpoint}/_emulator/keys/key-demo-hz-prod/disable'");
        await stdout.WriteLineAsync($"  curl -sS '{stack.Emulator.Endpoint}/_emulator/events'");
        await stdout.WriteLineAsync();
        await stdout.WriteLineAsync("Try the webhook (each signature works once, for five minutes):");
        await stdout.WriteLineAsync("  " + stack.SampleCurl("GET", "/clusters/c-demo-hz-analytics/kms", string.Empty));
        await stdout.WriteLineAsync("  " + stack.SampleCurl("PUT", "/clusters/c-demo-hz-analytics/kms", "{\"kms_key_id\":\"key-demo-hz-spare\",\"dry_run\":true,\"reason\":\"try it\"}"));
        await stdout.WriteLineAsync("  " + stack.SampleCurl("PUT", "/clusters/c-demo-hz-payments/kms", "{\"disable_encryption\":true,\"reason\":\"should be refused\"}"));
        await stdout.WriteLineAsync("Ctrl+C or SIGTERM stops.");

        // Program cancels the token on SIGTERM, SIGINT (Ctrl+C) and SIGQUIT.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var sweeps = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                var next = every is { } interval
                    ? DateTimeOffset.FromUnixTimeSeconds((long)Math.Ceiling((DateTimeOffset.UtcNow + interval).ToUnixTimeMilliseconds() / 1000.0))
                    : cron.GetNextOccurrence(DateTimeOffset.UtcNow, zone) ?? DateTimeOffset.UtcNow.AddDays(1);
                await stdout.WriteLineAsync($"Next timer invocation at {next:u}");
                await Task.Delay(next - DateTimeOffset.UtcNow, stop.Token);
                // Function Compute gives the next invocation a fresh instance: so does serve, after the first.
                if (sweeps > 0)
                {
                    await stack.RestartHostAsync(stop.Token);
                }

                sweeps++;
                var inboxBefore = stack.Emulator.State.Notifications.Received;
                var (report, status, _) = await stack.FireTimerAsync("{\"mode\":\"report\"}", next, stop.Token);
                await stdout.WriteLineAsync(report is null
                    ? $"Timer invocation failed (HTTP {status})."
                    : $"Sweep {report.SweepId} (host instance {stack.HostRestarts + 1}): {report.Summary.Clusters} clusters, {report.Summary.Fail} fail, {report.Summary.Unknown} unknown."
                      + (settings.ReportsOnOss ? $"{Environment.NewLine}  report: {stack.PresignReport(report)}" : string.Empty));
                if (report is not null)
                {
                    var state = await stack.Host.Services.GetRequiredService<IReportStore>().LoadStateAsync(report.SweepId, stop.Token);
                    await stdout.WriteLineAsync("  " + DescribeNotification(report.SweepId, state?.ComparedWith, stack.Emulator.State.Notifications.GetMessages(), inboxBefore, stack.Emulator.State.Notifications.Received));
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await stdout.WriteLineAsync("Stopping: host and emulator shut down.");
        return 0;
    }

    /// <summary>
    /// One line on what a sweep notified: the digest the inbox received for it (its new, escalated and resolved
    /// findings) or why nothing was sent, and which sweep it was compared with.
    /// </summary>
    internal static string DescribeNotification(string sweepId, string? comparedWith, IReadOnlyList<InboxMessage> inbox, long receivedBefore, long receivedAfter)
    {
        var against = comparedWith is null ? "first sweep in the report store" : $"compared with sweep {comparedWith}";
        var fresh = (int)Math.Min(receivedAfter - receivedBefore, inbox.Count);
        var digest = inbox.Skip(inbox.Count - fresh)
            .Select(m => m.Json)
            .FirstOrDefault(j => j is { ValueKind: JsonValueKind.Object } d
                                 && d.TryGetProperty("type", out var t) && t.ValueEquals("ackfc.report.digest")
                                 && d.TryGetProperty("sweepId", out var id) && id.ValueEquals(sweepId));
        if (digest is not { } sent)
        {
            return comparedWith is null
                ? $"notified: nothing ({against}, nothing fails)"
                : $"notified: nothing ({against}: no change; notifications are change-only)";
        }

        if (!sent.TryGetProperty("changes", out var changes) || changes.ValueKind != JsonValueKind.Object)
        {
            return $"notified: every failing cluster ({against})";
        }

        int Count(string kind) => changes.TryGetProperty(kind, out var list) && list.ValueKind == JsonValueKind.Array ? list.GetArrayLength() : 0;
        return $"notified: {Count("new")} new, {Count("escalated")} escalated, {Count("resolved")} resolved ({against})";
    }

    /// <summary><c>--timer-every</c>: a whole number with s, m, h or d, from one second to one day.</summary>
    internal static bool TryParseEvery(string text, out TimeSpan? every)
    {
        every = null;
        if (text.Length < 2 || !int.TryParse(text.AsSpan(0, text.Length - 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        TimeSpan? value = text[^1] switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => null,
        };
        if (value is not { } v || v < TimeSpan.FromSeconds(1) || v > TimeSpan.FromDays(1))
        {
            return false;
        }

        every = v;
        return true;
    }

    /// <summary>Function Compute's timer cron: six fields with seconds, optionally behind <c>CRON_TZ=&lt;zone&gt; </c>.</summary>
    public static (CronExpression Cron, TimeZoneInfo Zone) ParseSchedule(string schedule)
    {
        var zone = TimeZoneInfo.Utc;
        var expression = schedule.Trim();
        if (expression.StartsWith("CRON_TZ=", StringComparison.Ordinal))
        {
            var space = expression.IndexOf(' ', StringComparison.Ordinal);
            zone = TimeZoneInfo.FindSystemTimeZoneById(expression[8..space]);
            expression = expression[(space + 1)..];
        }

        return (CronExpression.Parse(expression, CronFormat.IncludeSeconds), zone);
    }

    internal static async Task WriteReportFilesAsync(TextWriter stdout, string reportDirectory, string sweepId)
    {
        var root = Path.GetFullPath(reportDirectory);
        var set = Directory.Exists(root)
            ? Directory.GetDirectories(root).Where(d => d.Contains(SafeName(sweepId), StringComparison.Ordinal)).OrderByDescending(Directory.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        await stdout.WriteLineAsync("Reports:");
        if (set is null)
        {
            await stdout.WriteLineAsync($"  (none found under {root})");
            return;
        }

        foreach (var file in Directory.GetFiles(set).Order(StringComparer.Ordinal))
        {
            await stdout.WriteLineAsync($"  {file}");
        }

        await stdout.WriteLineAsync($"  {Path.Combine(root, "latest.json")}");
    }

    private static string SafeName(string sweepId) =>
        new([.. sweepId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')]);

    private static bool TryParse(string[] args, TextWriter stderr, string usage, bool serve, out LocalSettings settings, out string mode, out int port)
    {
        settings = new LocalSettings(null, LocalSettings.DefaultPolicy, "reports", "http://127.0.0.1:0", false);
        mode = "report";
        port = 0;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--mode":
                        mode = Value();
                        if (mode is not ("report" or "remediate"))
                        {
                            throw new ArgumentException($"--mode must be report or remediate, not '{mode}'");
                        }

                        break;
                    case "--fleet": settings = settings with { FleetFile = Value() }; break;
                    case "--policy": settings = settings with { PolicyFile = Path.GetFullPath(Value()) }; break;
                    case "--report-dir": settings = settings with { ReportDirectory = Value() }; break;
                    case "--verbose": settings = settings with { Verbose = true }; break;
                    case "--event-delay-ms" when serve:
                        settings = settings with { EventDelay = Emulator.EmulatorCommand.Milliseconds(Value(), "--event-delay-ms") };
                        break;
                    case "--event-duplicate-rate" when serve:
                        settings = settings with { EventDuplicateRate = Emulator.EmulatorCommand.Rate(Value(), "--event-duplicate-rate") };
                        break;
                    case "--timer-every" when serve: Value(); break;
                    case "--port":
                        port = int.TryParse(Value(), out var p) && p is >= 0 and < 65536 ? p : throw new ArgumentException("--port must be a port number");
                        break;
                    default: throw new ArgumentException($"unknown option '{args[i]}'");
                }
            }
            catch (ArgumentException e)
            {
                stderr.WriteLine($"{e.Message}{Environment.NewLine}{Environment.NewLine}{usage}");
                return false;
            }
        }

        settings = settings with { ReportDirectory = Path.GetFullPath(settings.ReportDirectory) };
        return true;
    }
}
