using Microsoft.Extensions.Options;

namespace AckFc.AlibabaCloud.Http;

/// <summary>The OpenAPI products AckFc calls through <see cref="AcsTransport"/>, with their API versions.</summary>
internal enum AcsService
{
    Cs,
    Kms,
    Sts,
    ResourceManager,
}

internal static class AcsServiceExtensions
{
    public static string Version(this AcsService service) => service switch
    {
        AcsService.Cs => "2015-12-15",
        AcsService.Kms => "2016-01-20",
        AcsService.Sts => "2015-04-01",
        AcsService.ResourceManager => "2020-03-31",
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    public static string Name(this AcsService service) => service switch
    {
        AcsService.Cs => "cs",
        AcsService.Kms => "kms",
        AcsService.Sts => "sts",
        AcsService.ResourceManager => "resourcemanager",
        _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
    };

    /// <summary>
    /// True for a product with one endpoint for every region (ResourceManager): its requests carry
    /// <see cref="AcsRequest.CentralRegion"/> instead of a region id, and its template has no <c>{region}</c>.
    /// </summary>
    public static bool IsCentral(this AcsService service) => service == AcsService.ResourceManager;
}

/// <summary>Turns the configured templates into the base URL of one product in one region.</summary>
internal sealed class AcsEndpointResolver(IOptions<AlibabaCloudOptions> options)
{
    public Uri Resolve(AcsService service, string regionId)
    {
        if (service.IsCentral())
        {
            return AcsEndpointTemplate.Expand(options.Value.ResourceManagerEndpoint, AcsRequest.CentralRegion);
        }

        AlibabaCloudRegion.EnsureValid(regionId);
        var template = service switch
        {
            AcsService.Cs => options.Value.CsEndpoint,
            AcsService.Kms => options.Value.KmsEndpoint,
            AcsService.Sts => options.Value.StsEndpoint,
            _ => throw new ArgumentOutOfRangeException(nameof(service), service, null),
        };
        return AcsEndpointTemplate.Expand(template, regionId);
    }
}

internal static class AcsEndpointTemplate
{
    public const string Placeholder = "{region}";

    public static Uri Expand(string template, string regionId)
    {
        var text = template.Replace(Placeholder, regionId, StringComparison.Ordinal).TrimEnd('/');
        return new Uri(text, UriKind.Absolute);
    }

    /// <summary>
    /// What is wrong with a template, or null when it is usable. A <paramref name="central"/> product has one endpoint
    /// for all regions, so a <c>{region}</c> in its template could only be a mistake.
    /// </summary>
    public static string? Problem(string? template, bool central = false)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return central
                ? "is empty: expected a URL such as https://resourcemanager.aliyuncs.com."
                : "is empty: expected a URL such as https://cs.{region}.aliyuncs.com.";
        }

        if (central && template.Contains(Placeholder, StringComparison.Ordinal))
        {
            return $"'{template}' has {Placeholder}, but the service is central (one endpoint for every region): expected a URL such as https://resourcemanager.aliyuncs.com.";
        }

        var sample = template.Replace(Placeholder, "cn-hangzhou", StringComparison.Ordinal);
        if (!Uri.TryCreate(sample, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            return $"'{template}' is not an absolute http:// or https:// URL ({Placeholder} is replaced by the region id).";
        }

        if (uri.Query.Length > 0 || uri.Fragment.Length > 0 || uri.UserInfo.Length > 0)
        {
            return $"'{template}' must not carry a query, a fragment or user info.";
        }

        if (sample.Contains('{', StringComparison.Ordinal) || sample.Contains('}', StringComparison.Ordinal))
        {
            return $"'{template}' has a placeholder other than {Placeholder}.";
        }

        return null;
    }
}
