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

        services.AddOptionsWithValidateOnStart<ReportingOptions, ReportingOptionsValidator>()
            .Configure(o => Bind(configuration, o))
            .PostConfigure(static o => o.Normalise());
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

    // A value the binder cannot convert (ACKFC_REPORT_RETENTION=thirty) fails validation like any other bad value: the
    // binder's message names the variable (the configuration key) and not the value.
    private static void Bind(IConfiguration configuration, ReportingOptions options)
    {
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(ReportingOptions), [e.Message]);
        }
    }
}
