using Microsoft.Extensions.Options;

namespace AckFc.AlibabaCloud.Http;

/// <summary>The two OpenAPI products AckFc calls, with their API versions.</summary>
internal enum AcsService
{
    Cs,
    Kms,
}

internal static class AcsServiceExtensions
{
    public static string Version(this AcsService service) => service == AcsService.Cs ? "2015-12-15" : "2016-01-20";

    public static string Name(this AcsService service) => service == AcsService.Cs ? "cs" : "kms";
}

/// <summary>Turns the configured templates into the base URL of one product in one region.</summary>
internal sealed class AcsEndpointResolver(IOptions<AlibabaCloudOptions> options)
{
    public Uri Resolve(AcsService service, string regionId)
    {
        AlibabaCloudRegion.EnsureValid(regionId);
        var template = service == AcsService.Cs ? options.Value.CsEndpoint : options.Value.KmsEndpoint;
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

    /// <summary>What is wrong with a template, or null when it is usable.</summary>
    public static string? Problem(string? template)
    {
        if (string.IsNullOrWhiteSpace(template))
        {
            return "is empty: expected a URL such as https://cs.{region}.aliyuncs.com.";
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
