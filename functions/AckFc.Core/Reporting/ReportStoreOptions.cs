using System.Text.RegularExpressions;
using AckFc.AlibabaCloud;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>
/// <c>ACKFC_REPORT_STORE</c>: <c>oss://{bucket}/{prefix}</c>, or a directory path (the file store, as
/// <c>ACKFC_REPORT_DIR</c>), or unset (the file store under <c>ACKFC_REPORT_DIR</c>). The bucket's region is
/// <c>FC_REGION</c>, else the first of <c>ACKFC_REGIONS</c>.
/// </summary>
public sealed partial class ReportStoreOptions
{
    public const string Variable = "ACKFC_REPORT_STORE";

    /// <summary>The OSS bucket, or null for the file store.</summary>
    public string? Bucket { get; set; }

    /// <summary>The key prefix, empty or ending in <c>/</c>.</summary>
    public string Prefix { get; set; } = string.Empty;

    /// <summary>The bucket's region.</summary>
    public string? Region { get; set; }

    /// <summary>A directory named by <c>ACKFC_REPORT_STORE</c> instead of a bucket.</summary>
    public string? Directory { get; set; }

    /// <summary>What is wrong with the setting, reported when the host starts.</summary>
    public string? Problem { get; set; }

    public bool IsOss => Bucket is not null;

    public static ReportStoreOptions FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ReportStoreOptions();
        var value = configuration[Variable]?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return options;
        }

        if (!value.StartsWith("oss://", StringComparison.OrdinalIgnoreCase))
        {
            if (value.Contains("://", StringComparison.Ordinal))
            {
                options.Problem = $"{Variable} '{value}' is neither oss://bucket/prefix nor a directory path.";
            }
            else
            {
                options.Directory = value;
            }

            return options;
        }

        var rest = value["oss://".Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var bucket = slash < 0 ? rest : rest[..slash];
        var prefix = slash < 0 ? string.Empty : rest[(slash + 1)..].Trim('/');
        if (!BucketName().IsMatch(bucket))
        {
            options.Problem = $"{Variable} names bucket '{bucket}': a bucket name is 3-63 lower-case letters, digits and '-', not starting or ending with '-'.";
            return options;
        }

        if (prefix.Contains("//", StringComparison.Ordinal) || prefix.Split('/').Any(s => s is "." or ".."))
        {
            options.Problem = $"{Variable} prefix '{prefix}' must not have empty, '.' or '..' segments.";
            return options;
        }

        var region = configuration["FC_REGION"]?.Trim();
        if (string.IsNullOrEmpty(region))
        {
            region = configuration["ACKFC_REGIONS"]?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        }

        if (!AlibabaCloudRegion.IsValid(region))
        {
            options.Problem = $"{Variable} is an OSS bucket, but its region is unknown: set FC_REGION or ACKFC_REGIONS (the bucket must be in the first region).";
            return options;
        }

        options.Bucket = bucket;
        options.Prefix = prefix.Length == 0 ? string.Empty : prefix + "/";
        options.Region = region;
        return options;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex BucketName();
}

internal sealed class ReportStoreOptionsValidator : IValidateOptions<ReportStoreOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportStoreOptions options) =>
        options.Problem is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
