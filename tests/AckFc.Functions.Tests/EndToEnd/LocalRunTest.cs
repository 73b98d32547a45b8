using AckFc.Local.Runner;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>A fresh emulated region (demo fleet, demo policy) and real host per test, with its own report folder.</summary>
public abstract class LocalRunTest : IAsyncLifetime
{
    private string reports = null!;

    protected LocalRun Stack { get; private set; } = null!;

    protected HttpClient Client { get; private set; } = null!;

    protected string Reports => reports;

    public virtual async Task InitializeAsync()
    {
        reports = Path.Combine(Path.GetTempPath(), "ackfc-e2e-" + Guid.NewGuid().ToString("n"));
        Stack = await LocalRun.StartAsync(new LocalSettings(null, LocalSettings.DefaultPolicy, reports, "http://127.0.0.1:0", false), CancellationToken.None);
        Client = new HttpClient { BaseAddress = Stack.HostAddress };
    }

    public virtual async Task DisposeAsync()
    {
        Client.Dispose();
        await Stack.DisposeAsync();
        if (Directory.Exists(reports))
        {
            Directory.Delete(reports, recursive: true);
        }
    }
}
