using AckFc.Worker;
using Microsoft.Extensions.Configuration;

namespace AckFc.Functions;

/// <summary>The secrets this host holds (environment credentials, webhook keys), masked out of logged error messages.</summary>
internal sealed class HostSecretMasker(IConfiguration configuration, WebhookOptions webhook) : ISecretMasker
{
    public string Mask(string text) => SecretMasking.Mask(text,
        [configuration["ALIBABA_CLOUD_ACCESS_KEY_SECRET"], configuration["ALIBABA_CLOUD_SECURITY_TOKEN"], .. webhook.Secrets.Values]);
}
