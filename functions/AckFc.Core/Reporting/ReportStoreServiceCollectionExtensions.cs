using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>Registers the report store <c>ACKFC_REPORT_STORE</c> chooses.</summary>
internal static class ReportStoreServiceCollectionExtensions
{
    /// <summary>
    /// For <c>oss://…</c>: the OSS store and the publisher, scoped (they sign with the invocation's credentials).
    /// For a directory: the file store there. Unset: nothing, the file store under <c>ACKFC_REPORT_DIR</c> follows.
    /// A bad value fails the host at start naming the variable. Call before the file store is registered.
    /// </summary>
    public static IServiceCollection AddAckFcReportStore(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var chosen = ReportStoreOptions.FromConfiguration(configuration);
        services.AddOptions<ReportStoreOptions>()
            .Configure(o =>
            {
                o.Bucket = chosen.Bucket;
                o.Prefix = chosen.Prefix;
                o.Region = chosen.Region;
                o.Directory = chosen.Directory;
                o.Problem = chosen.Problem;
            })
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReportStoreOptions>, ReportStoreOptionsValidator>());
        if (chosen.Directory is { } directory)
        {
            services.PostConfigure<ReportingOptions>(o => o.ReportDirectory = directory);
        }

        if (chosen.IsOss)
        {
            services.TryAddScoped<IReportStore, OssReportStore>();
            services.TryAddScoped<IReportPublisher, ReportPublisher>();
        }

        return services;
    }
}
