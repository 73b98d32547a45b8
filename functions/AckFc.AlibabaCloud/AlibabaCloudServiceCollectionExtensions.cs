using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Http;
using AckFc.AlibabaCloud.Kms;
using AckFc.AlibabaCloud.Oss;
using AckFc.AlibabaCloud.ResourceManager;
using AckFc.AlibabaCloud.Signing;
using AckFc.AlibabaCloud.Sts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Telemetry;

namespace AckFc.AlibabaCloud;

/// <summary>Registers the Alibaba Cloud layer.</summary>
public static class AlibabaCloudServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="IAckClient"/>, <see cref="IKmsClient"/>, <see cref="IOssClient"/>, <see cref="IStsClient"/>,
    /// <see cref="IResourceManagerClient"/> and <see cref="IAssumedRoleCredentialsCache"/> (scoped), the scoped <see cref="InvocationCredentials"/>
    /// the host fills per invocation, the credential chain (<see cref="ICredentialsProvider"/>, scoped),
    /// <see cref="AlibabaCloudOptions"/> bound from <paramref name="configuration"/> and validated on start, the
    /// resilient HTTP client and the shared per-(service, region) rate limiters.
    /// </summary>
    public static IServiceCollection AddAlibabaCloud(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptionsWithValidateOnStart<AlibabaCloudOptions, AlibabaCloudOptionsValidator>()
            .Configure(o => Bind(configuration, o))
            .PostConfigure(static o =>
            {
                // An empty variable (a blank line in s.yaml) means "not set", not "no endpoint".
                o.CsEndpoint = string.IsNullOrWhiteSpace(o.CsEndpoint) ? AlibabaCloudOptions.DefaultCsEndpoint : o.CsEndpoint.Trim();
                o.KmsEndpoint = string.IsNullOrWhiteSpace(o.KmsEndpoint) ? AlibabaCloudOptions.DefaultKmsEndpoint : o.KmsEndpoint.Trim();
                o.OssEndpoint = string.IsNullOrWhiteSpace(o.OssEndpoint) ? AlibabaCloudOptions.DefaultOssEndpoint : o.OssEndpoint.Trim();
                o.StsEndpoint = string.IsNullOrWhiteSpace(o.StsEndpoint) ? AlibabaCloudOptions.DefaultStsEndpoint : o.StsEndpoint.Trim();
                o.ResourceManagerEndpoint = string.IsNullOrWhiteSpace(o.ResourceManagerEndpoint)
                    ? AlibabaCloudOptions.DefaultResourceManagerEndpoint
                    : o.ResourceManagerEndpoint.Trim();
            });

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AcsRateLimiterRegistry>();
        services.TryAddSingleton<AcsEndpointResolver>();
        services.TryAddSingleton<AcsRequestSigner>();
        services.TryAddSingleton<CredentialsFileReader>();
        services.TryAddTransient<AcsSigningHandler>();

        services.TryAddScoped<InvocationCredentials>();
        services.TryAddScoped<ICredentialsProvider>(sp => new DefaultCredentialsProvider(
            sp.GetRequiredService<InvocationCredentials>(), configuration, sp.GetRequiredService<CredentialsFileReader>()));
        services.TryAddScoped<AcsTransport>();
        services.TryAddScoped<IAckClient, AckClient>();
        services.TryAddScoped<IKmsClient, KmsClient>();
        services.TryAddScoped<IOssClient, OssClient>();
        services.TryAddScoped<IStsClient, StsClient>();
        services.TryAddScoped<IResourceManagerClient, ResourceManagerClient>();
        services.TryAddScoped<IAssumedRoleCredentialsCache, AssumedRoleCredentialsCache>();
        services.TryAddTransient<OssSigningHandler>();

        // Polly's telemetry would log every retried attempt at Warning and the last failed one at Error. AckFc's own
        // retry lines (AcsResilience, OssResilience) already name the action, bucket or region and the delay, and whether
        // a failed call is an error is the caller's to say (a region that cannot be read is an error in the report; a
        // report set that cannot be written, one Error line with the findings): those two events go to Debug.
        services.Configure<TelemetryOptions>(static options => options.SeverityProvider = static args =>
            args.Event.EventName is "ExecutionAttempt" or "OnRetry" ? ResilienceEventSeverity.Debug : args.Event.Severity);

        // Handlers run in the order added: the resilience pipeline wraps the signing handler, so every attempt is
        // signed afresh. The pipeline owns all timeouts, so HttpClient's own is switched off.
        services.AddHttpClient(AcsTransport.HttpClientName, static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(AcsResilience.PipelineName, static (builder, context) =>
            {
                var provider = context.ServiceProvider;
                AcsResilience.Configure(
                    builder,
                    provider.GetRequiredService<IOptions<AlibabaCloudOptions>>().Value,
                    provider.GetRequiredService<AcsRateLimiterRegistry>(),
                    provider.GetRequiredService<ILoggerFactory>().CreateLogger("AckFc.AlibabaCloud.Resilience"));
            })
            .Services.AddHttpClient(AcsTransport.HttpClientName)
            .AddHttpMessageHandler<AcsSigningHandler>()
            // HttpClient's default logging prints request headers at Trace. It redacts the message text, but the
            // structured state keeps the raw values, and the JSON console writes that state: the STS token would be
            // logged. AcsTransport logs each call itself (action, region, endpoint, credential source).
            .RemoveAllLoggers();

        // OSS: the same order (resilience outside, V4 signing of every attempt inside) and the same settings.
        services.AddHttpClient(OssClient.HttpClientName, static client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddResilienceHandler(OssResilience.PipelineName, static (builder, context) =>
            {
                var provider = context.ServiceProvider;
                OssResilience.Configure(
                    builder,
                    provider.GetRequiredService<IOptions<AlibabaCloudOptions>>().Value,
                    provider.GetRequiredService<ILoggerFactory>().CreateLogger("AckFc.AlibabaCloud.Resilience"));
            })
            .Services.AddHttpClient(OssClient.HttpClientName)
            .AddHttpMessageHandler<OssSigningHandler>()
            .RemoveAllLoggers();

        return services;
    }

    // A value the binder cannot convert (ACKFC_CS_QPS=lots) fails validation like any other bad value, naming the variable.
    private static void Bind(IConfiguration configuration, AlibabaCloudOptions options)
    {
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(AlibabaCloudOptions), [e.Message]);
        }
    }
}
