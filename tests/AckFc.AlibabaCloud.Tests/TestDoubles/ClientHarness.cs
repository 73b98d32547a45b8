using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.AlibabaCloud.ResourceManager;
using AckFc.AlibabaCloud.Sts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;

namespace AckFc.AlibabaCloud.Tests.TestDoubles;

/// <summary>The real DI registration pointed at the test double, with delays shrunk so retries are quick.</summary>
internal sealed class ClientHarness : IAsyncDisposable
{
    public const string Region = "cn-hangzhou";

    private readonly ServiceProvider _provider;
    private readonly AsyncServiceScope _scope;

    private ClientHarness(ServiceProvider provider)
    {
        _provider = provider;
        _scope = provider.CreateAsyncScope();
    }

    public IServiceProvider Services => _scope.ServiceProvider;

    public IAckClient Ack => Services.GetRequiredService<IAckClient>();

    public IKmsClient Kms => Services.GetRequiredService<IKmsClient>();

    public IStsClient Sts => Services.GetRequiredService<IStsClient>();

    public IResourceManagerClient ResourceManager => Services.GetRequiredService<IResourceManagerClient>();

    public InvocationCredentials Invocation => Services.GetRequiredService<InvocationCredentials>();

    public FakeLogCollector Logs => _provider.GetFakeLogCollector();

    public static Dictionary<string, string?> Settings(string endpoint) => new()
    {
        ["ACKFC_CS_ENDPOINT"] = endpoint,
        ["ACKFC_KMS_ENDPOINT"] = endpoint,
        ["ACKFC_STS_ENDPOINT"] = endpoint,
        ["ACKFC_RESOURCEMANAGER_ENDPOINT"] = endpoint,
        ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = AcsTestServer.AccessKeyId,
        ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = AcsTestServer.AccessKeySecret,
        ["ALIBABA_CLOUD_CREDENTIALS_FILE"] = Path.Combine(Path.GetTempPath(), "ackfc-no-such-dir", Guid.NewGuid().ToString("N")),
        ["ACKFC_CLOUD_MAX_ATTEMPTS"] = "3",
        ["ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS"] = "5",
        ["ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS"] = "30",
        ["ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS"] = "0.001",
        ["ACKFC_CLOUD_RETRY_MAX_DELAY_SECONDS"] = "1",
    };

    public static ClientHarness Create(AcsTestServer server, Action<Dictionary<string, string?>>? adjust = null) =>
        Create(server.Endpoint, adjust);

    public static ClientHarness Create(string endpoint, Action<Dictionary<string, string?>>? adjust = null)
    {
        var settings = Settings(endpoint);
        adjust?.Invoke(settings);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddFakeLogging();
        services.AddAlibabaCloud(configuration);
        return new ClientHarness(services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true }));
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _provider.DisposeAsync();
    }
}
