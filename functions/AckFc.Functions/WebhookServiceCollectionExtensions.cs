using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace AckFc.Functions;

public static class WebhookServiceCollectionExtensions
{
    /// <summary>
    /// Adds <see cref="WebhookOptions"/> bound from <paramref name="configuration"/> and validated on start, the options
    /// value itself (for the authenticator and the secret masker) and the one <see cref="WebhookAuthenticator"/>.
    /// </summary>
    public static IServiceCollection AddAckFcWebhook(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptionsWithValidateOnStart<WebhookOptions, WebhookOptionsValidator>()
            .Bind(configuration)
            .PostConfigure(static o => o.Resolve());
        services.TryAddSingleton(static sp => sp.GetRequiredService<IOptions<WebhookOptions>>().Value);
        services.TryAddSingleton<WebhookAuthenticator>();
        return services;
    }
}
