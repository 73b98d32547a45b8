using AckFc.AlibabaCloud.Oss;
using AckFc.Core.Reporting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AckFc.Functions;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="WebhookOptions"/> bound from <paramref name="configuration"/> and validated on start, the options
    /// value itself (for the authenticator and the secret masker), the replay memory and the <see cref="WebhookAuthenticator"/>.
    /// </summary>
    /// <remarks>
    /// The one place that chooses the replay memory: the per-instance one (a singleton) on its own, or, when the report
    /// store is OSS (<see cref="ReportStoreOptions"/>, from <c>ACKFC_REPORT_STORE</c>), the shared one layered on it —
    /// scoped, because it signs with the invocation's credentials through the same <see cref="IOssClient"/> as the store.
    /// </remarks>
    public static IServiceCollection AddAckFcWebhook(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<WebhookOptions, WebhookOptionsValidator>()
            .Bind(configuration)
            .PostConfigure(static o => o.Resolve());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<WebhookOptions>>().Value);
        services.TryAddSingleton(static sp => new InMemoryReplayMemory(sp.GetRequiredService<WebhookOptions>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddScoped<IReplayMemory>(static sp => sp.GetRequiredService<IOptions<ReportStoreOptions>>().Value is { IsOss: true } store
            ? new OssReplayMemory(
                sp.GetRequiredService<InMemoryReplayMemory>(), sp.GetRequiredService<IOssClient>(), store, sp.GetRequiredService<ILogger<OssReplayMemory>>())
            : sp.GetRequiredService<InMemoryReplayMemory>());
        services.TryAddScoped(static sp => new WebhookAuthenticator(
            sp.GetRequiredService<WebhookOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IReplayMemory>(), sp.GetService<WebhookKeySource>()));
        return services;
    }

    /// <summary>The one Information line at start that says which replay memory the webhook uses.</summary>
    internal static IServiceCollection AddReplayMemoryStartLine(this IServiceCollection services) =>
        services.AddHostedService(static sp => new ReplayMemoryStartLine(
            sp.GetRequiredService<IOptions<ReportStoreOptions>>().Value, sp.GetRequiredService<ILogger<ReplayMemoryStartLine>>()));
}
