using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Oss;
using AckFc.Core.Reporting;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace AckFc.Local.Tests.Oss;

/// <summary>
/// One host instance of the reporting services against the emulated OSS, wired as the host wires them: its own
/// container (so its own HTTP clients and connections), one scope as an invocation has, and its logs collected.
/// Two of these on one emulator are two instances sharing a bucket.
/// </summary>
internal sealed class OssStoreHost : IAsyncDisposable
{
    public const string DefaultStore = "oss://ackfc-reports/ackfc";

    private readonly ServiceProvider provider;
    private readonly AsyncServiceScope scope;

    public OssStoreHost(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        provider = Build(settings);
        scope = provider.CreateAsyncScope();
    }

    public IReportStore Store => scope.ServiceProvider.GetRequiredService<IReportStore>();

    public IReportPublisher Publisher => scope.ServiceProvider.GetRequiredService<IReportPublisher>();

    public IOssClient Oss => scope.ServiceProvider.GetRequiredService<IOssClient>();

    public IReadOnlyList<FakeLogRecord> Logs => provider.GetFakeLogCollector().GetSnapshot();

    /// <summary>What every instance here needs to reach the emulated OSS with the emulator's credentials, retrying without waiting.</summary>
    public static Dictionary<string, string?> Settings(RunningEmulator emulator, string store = DefaultStore) => new()
    {
        ["ACKFC_REPORT_STORE"] = store,
        ["FC_REGION"] = "cn-hangzhou",
        ["ACKFC_OSS_ENDPOINT"] = emulator.Endpoint,
        ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId,
        ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = emulator.Credential.AccessKeySecret,
        // No credentials file of the machine running the tests is read.
        ["ALIBABA_CLOUD_CREDENTIALS_FILE"] = Path.Combine(Path.GetTempPath(), "ackfc-no-such-dir", Guid.NewGuid().ToString("N")),
        ["ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS"] = "0",
    };

    /// <summary>An instance with <see cref="Settings"/>, which <paramref name="adjust"/> may add to or override.</summary>
    public static OssStoreHost Start(RunningEmulator emulator, Action<Dictionary<string, string?>>? adjust = null)
    {
        var settings = Settings(emulator);
        adjust?.Invoke(settings);
        return new OssStoreHost(settings);
    }

    /// <summary>The container alone, for tests that resolve options or expect the build itself to fail.</summary>
    public static ServiceProvider Build(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddLogging().AddFakeLogging().AddAlibabaCloud(configuration).AddAckFcReporting(configuration)
            .BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public async ValueTask DisposeAsync()
    {
        await scope.DisposeAsync();
        await provider.DisposeAsync();
    }
}
