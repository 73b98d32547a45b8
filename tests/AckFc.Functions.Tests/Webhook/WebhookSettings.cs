using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AckFc.Functions.Tests.Webhook;

/// <summary>The webhook's options as the host makes them: bound from settings and validated (OptionsValidationException).</summary>
internal static class WebhookSettings
{
    public static WebhookOptions Options(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var provider = new ServiceCollection().AddAckFcWebhook(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<WebhookOptions>>().Value;
    }
}
