using System.ComponentModel.DataAnnotations;
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

    /// <summary>Client-side request rate to CS per region (requests per second).</summary>
    [ConfigurationKeyName("ACKFC_CS_QPS")]
    [Range(1, 10_000, ErrorMessage = "ACKFC_CS_QPS must be a whole number of requests per second between 1 and 10000.")]
    public int CsQps { get; set; } = 20;

    /// <summary>Client-side request rate to KMS per region (requests per second).</summary>
    [ConfigurationKeyName("ACKFC_KMS_QPS")]
    [Range(1, 10_000, ErrorMessage = "ACKFC_KMS_QPS must be a whole number of requests per second between 1 and 10000.")]
    public int KmsQps { get; set; } = 50;

    /// <summary>Attempts per read (the first one included); writes repeat only after throttling.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_MAX_ATTEMPTS")]
    [Range(1, 20, ErrorMessage = "ACKFC_CLOUD_MAX_ATTEMPTS must be between 1 and 20.")]
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Timeout of one attempt, in seconds.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS")]
    [Range(0.01, 600.0, ErrorMessage = "ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS must be between 0.01 and 600.")]
    public double AttemptTimeoutSeconds { get; set; } = 10;

    /// <summary>Timeout of a call with all its retries and waits, in seconds.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS")]
    [Range(0.01, 3600.0, ErrorMessage = "ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS must be between 0.01 and 3600.")]
    public double TotalTimeoutSeconds { get; set; } = 60;

    /// <summary>First retry delay, in seconds; later ones grow exponentially, with jitter.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS")]
    [Range(0.0, 60.0, ErrorMessage = "ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS must be between 0 and 60.")]
    public double RetryBaseDelaySeconds { get; set; } = 1;

    /// <summary>Longest retry delay, in seconds, also the cap on what <c>x-acs-retry-after</c> may ask.</summary>
    [ConfigurationKeyName("ACKFC_CLOUD_RETRY_MAX_DELAY_SECONDS")]
    [Range(0.0, 600.0, ErrorMessage = "ACKFC_CLOUD_RETRY_MAX_DELAY_SECONDS must be between 0 and 600.")]
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
/// An endpoint template must be an absolute http(s) URL once <c>{region}</c> is filled in, without query,
/// fragment or user info (they would not survive signing).
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class EndpointTemplateAttribute(string variable) : ValidationAttribute
{
    public string Variable { get; } = variable;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        var problem = AcsEndpointTemplate.Problem(value as string);
        return problem is null
            ? ValidationResult.Success
            : new ValidationResult($"{Variable} {problem}", validationContext.MemberName is { } m ? [m] : null);
    }
}
