using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AckFc.AlibabaCloud.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AckFc.AlibabaCloud;

/// <summary>
/// Settings of the Alibaba Cloud layer, bound from environment variables (the names in
/// <see cref="ConfigurationKeyNameAttribute"/>) and validated when the host starts.
/// </summary>
public sealed class AlibabaCloudOptions : IValidatableObject
{
    /// <summary>Default CS (ACK) endpoint template.</summary>
    public const string DefaultCsEndpoint = "https://cs.{region}.aliyuncs.com";

    /// <summary>Default KMS endpoint template.</summary>
    public const string DefaultKmsEndpoint = "https://kms.{region}.aliyuncs.com";

    /// <summary>CS (ACK) endpoint template; <c>{region}</c> is replaced by the region id.</summary>
    [ConfigurationKeyName("ACKFC_CS_ENDPOINT")]
    [EndpointTemplate("ACKFC_CS_ENDPOINT")]
    public string CsEndpoint { get; set; } = DefaultCsEndpoint;

    /// <summary>KMS endpoint template; <c>{region}</c> is replaced by the region id.</summary>
    [ConfigurationKeyName("ACKFC_KMS_ENDPOINT")]
    [EndpointTemplate("ACKFC_KMS_ENDPOINT")]
    public string KmsEndpoint { get; set; } = DefaultKmsEndpoint;

    /// <summary>Default OSS endpoint template (the public one; Function Compute sets the <c>-internal</c> one).</summary>
    public const string DefaultOssEndpoint = "https://oss-{region}.aliyuncs.com";

    /// <summary>
    /// OSS endpoint template; <c>{region}</c> is replaced by the bucket's region. Buckets are addressed
    /// virtual-hosted (<c>{bucket}.{host}</c>), or path style when the host is an IP address or localhost (emulator).
    /// </summary>
    [ConfigurationKeyName("ACKFC_OSS_ENDPOINT")]
    [EndpointTemplate("ACKFC_OSS_ENDPOINT")]
    public string OssEndpoint { get; set; } = DefaultOssEndpoint;

    /// <summary>Default STS endpoint template (regional; <c>sts-vpc.{region}.aliyuncs.com</c> from a VPC without internet).</summary>
    public const string DefaultStsEndpoint = "https://sts.{region}.aliyuncs.com";

    /// <summary>STS endpoint template; <c>{region}</c> is replaced by the region id.</summary>
    [ConfigurationKeyName("ACKFC_STS_ENDPOINT")]
    [EndpointTemplate("ACKFC_STS_ENDPOINT")]
    public string StsEndpoint { get; set; } = DefaultStsEndpoint;

    /// <summary>Default ResourceManager endpoint: the service is central, one host for every region.</summary>
    public const string DefaultResourceManagerEndpoint = "https://resourcemanager.aliyuncs.com";

    /// <summary>ResourceManager endpoint; central, so without <c>{region}</c>.</summary>
    [ConfigurationKeyName("ACKFC_RESOURCEMANAGER_ENDPOINT")]
    [EndpointTemplate("ACKFC_RESOURCEMANAGER_ENDPOINT", Central = true)]
    public string ResourceManagerEndpoint { get; set; } = DefaultResourceManagerEndpoint;

    /// <summary>Client-side request rate to CS per region (requests per second).</summary>
    [ConfigurationKeyName("ACKFC_CS_QPS")]
    [SettingRange("ACKFC_CS_QPS", 1, 10_000)]
    public int CsQps { get; set; } = 20;

    /// <summary>Client-side request rate to KMS per region (requests per second).</summary>
    [ConfigurationKeyName("ACKFC_KMS_QPS")]
    [SettingRange("ACKFC_KMS_QPS", 1, 10_000)]
    public int KmsQps { get; set; } = 50;

    /// <summary>Attempts per read (the first one included); writes repeat only after throttling. A throttled call (the cloud executed nothing) gets twice as many.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_MAX_ATTEMPTS")]
    [SettingRange("ACKFC_CLOUD_MAX_ATTEMPTS", 1, 20)]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Timeout of one attempt, in seconds.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS")]
    [SettingRange("ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS", 0.01, 600.0)]
    public double AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>Timeout of a call with all its retries and waits, in seconds.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS")]
    [SettingRange("ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS", 0.01, 3600.0)]
    public double TotalTimeoutSeconds { get; set; } = 60;

    /// <summary>First retry delay, in seconds; later ones grow exponentially, with jitter.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS")]
    [SettingRange("ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS", 0.0, 60.0)]
    public double RetryBaseDelaySeconds { get; set; } = 1;

    /// <summary>Longest retry delay, in seconds, also the cap on what <c>x-acs-retry-after</c> may ask.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_RETRY_MAX_DELAY_SECONDS")]
    [SettingRange("ACKFC_CLOUD_RETRY_MAX_DELAY_SECONDS", 0.0, 600.0)]
    public double RetryMaxDelaySeconds { get; set; } = 20;

    internal TimeSpan AttemptTimeout => TimeSpan.FromSeconds(AttemptTimeoutSeconds);

    internal TimeSpan TotalTimeout => TimeSpan.FromSeconds(TotalTimeoutSeconds);

    internal TimeSpan RetryBaseDelay => TimeSpan.FromSeconds(RetryBaseDelaySeconds);

    internal TimeSpan RetryMaxDelay => TimeSpan.FromSeconds(RetryMaxDelaySeconds);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (TotalTimeoutSeconds < AttemptTimeoutSeconds)
        {
            yield return new ValidationResult(
                "ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS must not be shorter than ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS.",
                [nameof(TotalTimeoutSeconds)]);
        }

        if (RetryMaxDelaySeconds < RetryBaseDelaySeconds)
        {
            yield return new ValidationResult(
                "ACKFC_CLOUD_RETRY_MAX_DELAY_SECONDS must not be shorter than ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS.",
                [nameof(RetryMaxDelaySeconds)]);
        }
    }
}

/// <summary>Source-generated validator of <see cref="AlibabaCloudOptions"/>.</summary>
[OptionsValidator]
internal sealed partial class AlibabaCloudOptionsValidator : IValidateOptions<AlibabaCloudOptions>;

/// <summary>
/// A numeric setting within bounds. Not <see cref="RangeAttribute"/>: the options validator generator replaces it
/// with a copy that ignores <c>ErrorMessage</c>, and the message must name the environment variable.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class SettingRangeAttribute(string variable, double minimum, double maximum) : ValidationAttribute
{
    public string Variable { get; } = variable;

    public double Minimum { get; } = minimum;

    public double Maximum { get; } = maximum;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var number = value switch
        {
            int i => i,
            double d => d,
            _ => double.NaN,
        };
        return number >= Minimum && number <= Maximum
            ? ValidationResult.Success
            : new ValidationResult(
                string.Create(CultureInfo.InvariantCulture, $"{Variable} is {value}; it must be between {Minimum} and {Maximum}."),
                validationContext.MemberName is { } m ? [m] : null);
    }
}

/// <summary>
/// An endpoint template must be an absolute http(s) URL once <c>{region}</c> is filled in, without query,
/// fragment or user info (they would not survive signing). A <see cref="Central"/> one has no <c>{region}</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class EndpointTemplateAttribute(string variable) : ValidationAttribute
{
    public string Variable { get; } = variable;

    public bool Central { get; set; }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var problem = AcsEndpointTemplate.Problem(value as string, Central);
        return problem is null
            ? ValidationResult.Success
            : new ValidationResult($"{Variable} {problem}", validationContext.MemberName is { } m ? [m] : null);
    }
}
