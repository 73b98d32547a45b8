using AckFc.Core.Reporting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Core.Tests.Reporting;

/// <summary>Reporting wired as the host wires it (AddAckFcReporting), with a fake clock and collected logs.</summary>
internal sealed class ReportingHarness : IDisposable
{
    public ReportingHarness(IDictionary<string, string?> environment)
    {
        Directory = Path.Combine(Path.GetTempPath(), "ackfc-reports-" + Guid.NewGuid().ToString("N"));
        var settings = new Dictionary<string, string?>(environment)
        {
            ["ACKFC_REPORT_DIR"] = Directory,
            ["ACKFC_NOTIFY_RETRY_DELAY_MS"] = "0",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace)).AddFakeLogging();
        services.AddSingleton<TimeProvider>(Time);
        services.AddAckFcReporting(configuration);
        Provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 28, 3, 1, 0, TimeSpan.Zero));

    public ServiceProvider Provider { get; }

    public string Directory { get; }

    public IReportPublisher Publisher => Provider.GetRequiredService<IReportPublisher>();

    public IReportStore Store => Provider.GetRequiredService<IReportStore>();

    internal Notifier Notifier => Provider.GetRequiredService<Notifier>();

    public string AllLogText => string.Join("\n", Provider.GetFakeLogCollector().GetSnapshot().Select(r => r.Message + " " + r.Exception));

    public void Dispose()
    {
        Provider.Dispose();
        if (System.IO.Directory.Exists(Directory))
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
    }
}
