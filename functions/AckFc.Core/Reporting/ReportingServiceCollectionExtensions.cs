using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>Registers reporting: the file report store, the publisher and the notification channels.</summary>
public static class ReportingServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IReportPublisher"/>, <see cref="IReportStore"/> (files under <c>ACKFC_REPORT_DIR</c>) and the
    /// channels configured by <c>ACKFC_NOTIFY_*</c>. Options are validated on start; a bad value names its variable.
    /// </summary>
    public static IServiceCollection AddAckFcReporting(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<ReportingOptions>()
            .Configure(o => Copy(ReportingOptions.FromConfiguration(configuration), o))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReportingOptions>, ReportingOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReportingOptions>, ReportingChannelValidator>());
        services.TryAddSingleton(TimeProvider.System);

        // The default HttpClient logging prints request URLs, and chat webhook URLs carry tokens: the notifier logs
        // its own redacted lines instead.
        services.AddHttpClient(Notifier.HttpClientName)
            .ConfigureHttpClient((provider, client) =>
                client.Timeout = TimeSpan.FromSeconds(provider.GetRequiredService<IOptions<ReportingOptions>>().Value.TimeoutSeconds))
            .RemoveAllLoggers();

        // ACKFC_REPORT_STORE=oss://… registers the OSS store first; TryAdd keeps it.
        services.AddAckFcReportStore(configuration);
        services.TryAddSingleton<IReportStore, FileReportStore>();
        services.TryAddSingleton<Notifier>();
        services.TryAddSingleton<IReportPublisher, ReportPublisher>();
        return services;
    }

    private static void Copy(ReportingOptions from, ReportingOptions to)
    {
        to.ReportDirectory = from.ReportDirectory;
        to.Retention = from.Retention;
        to.NotifyMode = from.NotifyMode;
        to.ReportUrl = from.ReportUrl;
        to.DingTalkUrl = from.DingTalkUrl;
        to.DingTalkSecret = from.DingTalkSecret;
        to.LarkUrl = from.LarkUrl;
        to.LarkSecret = from.LarkSecret;
        to.SlackUrl = from.SlackUrl;
        to.WebhookUrl = from.WebhookUrl;
        to.WebhookSecret = from.WebhookSecret;
        to.NotifyAttempts = from.NotifyAttempts;
        to.RetryDelayMilliseconds = from.RetryDelayMilliseconds;
        to.TimeoutSeconds = from.TimeoutSeconds;
        to.DigestMaxItems = from.DigestMaxItems;
        to.ConfiguredRegions = from.ConfiguredRegions;
    }
}
