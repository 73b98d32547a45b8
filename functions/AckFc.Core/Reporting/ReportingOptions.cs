using System.ComponentModel.DataAnnotations;
using System.Globalization;
using AckFc.Core.Settings;
using AckFc.Core.Signatures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>
/// Where reports go and who hears about them, bound from environment variables (the names in
/// <see cref="ConfigurationKeyNameAttribute"/>) and validated when the host starts. Read from the environment only
/// (the channel settings hold secrets, so they never come from the policy file); every message names the variable.
/// </summary>
public sealed class ReportingOptions : IValidatableObject
{
    /// <summary>Default directory of the report sets.</summary>
    public const string DefaultReportDirectory = "./reports";

    /// <summary>Directory of the report sets and <c>latest.json</c>.</summary>
    [ConfigurationKeyName("ACKFC_REPORT_DIR")]
    [Required(AllowEmptyStrings = false, ErrorMessage = "ACKFC_REPORT_DIR must name a directory.")]
    public string ReportDirectory { get; set; } = DefaultReportDirectory;

    /// <summary>How many report sets to keep (oldest deleted first).</summary>
    [ConfigurationKeyName("ACKFC_REPORT_RETENTION")]
    [WholeNumber("ACKFC_REPORT_RETENTION", 1, 100_000)]
    public int Retention { get; set; } = 30;

    /// <summary><c>changes</c> (default) notifies only when findings are new, resolved or escalated; <c>always</c> after every sweep.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_MODE")]
    [RegularExpression("^(changes|always)$", ErrorMessage = "ACKFC_NOTIFY_MODE must be 'changes' or 'always'.")]
    public string NotifyMode { get; set; } = "changes";

    /// <summary>Link to the full report in digests; <c>{sweepId}</c> is replaced.</summary>
    [ConfigurationKeyName("ACKFC_REPORT_URL")]
    [ReportUrlTemplate("ACKFC_REPORT_URL")]
    public string? ReportUrl { get; set; }

    /// <summary>
    /// Lifetime of the presigned report link in notifications when the store is OSS: a whole number with a unit,
    /// <c>d</c>, <c>h</c>, <c>m</c> or <c>s</c> (<c>7d</c>, <c>12h</c>), from 1 s to 7 days (OSS's limit for a V4 link).
    /// </summary>
    [ConfigurationKeyName("ACKFC_REPORT_LINK_TTL")]
    [LinkLifetime("ACKFC_REPORT_LINK_TTL")]
    public string ReportLinkTtl { get; set; } = "7d";

    /// <summary>The link lifetime <see cref="ReportLinkTtl"/> names (7 days when it does not parse; validation refuses it then).</summary>
    public TimeSpan ReportLinkLifetime => LinkLifetimeAttribute.TryParse(ReportLinkTtl, out var lifetime) ? lifetime : LinkLifetimeAttribute.Maximum;

    /// <summary>The DingTalk robot's webhook URL (with its access token).</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_DINGTALK_URL")]
    [ChannelUrl("ACKFC_NOTIFY_DINGTALK_URL")]
    public string? DingTalkUrl { get; set; }

    /// <summary>The DingTalk robot's signing secret (<c>SEC…</c>).</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_DINGTALK_SECRET")]
    public string? DingTalkSecret { get; set; }

    /// <summary>The Lark / Feishu custom bot's webhook URL.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_LARK_URL")]
    [ChannelUrl("ACKFC_NOTIFY_LARK_URL")]
    public string? LarkUrl { get; set; }

    /// <summary>The Lark / Feishu bot's signing secret.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_LARK_SECRET")]
    public string? LarkSecret { get; set; }

    /// <summary>A Slack incoming webhook URL.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_SLACK_URL")]
    [ChannelUrl("ACKFC_NOTIFY_SLACK_URL")]
    public string? SlackUrl { get; set; }

    /// <summary>A generic HTTPS endpoint that receives the JSON digest.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_WEBHOOK_URL")]
    [ChannelUrl("ACKFC_NOTIFY_WEBHOOK_URL")]
    public string? WebhookUrl { get; set; }

    /// <summary><c>keyId:secret</c> for the <c>X-AckFc-Signature</c> header of the generic webhook.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_WEBHOOK_SECRET")]
    public string? WebhookSecret { get; set; }

    /// <summary>Delivery attempts per channel.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_ATTEMPTS")]
    [WholeNumber("ACKFC_NOTIFY_ATTEMPTS", 1, 10)]
    public int NotifyAttempts { get; set; } = 3;

    /// <summary>First backoff delay in milliseconds; doubled on each retry.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_RETRY_DELAY_MS")]
    [WholeNumber("ACKFC_NOTIFY_RETRY_DELAY_MS", 0, 60_000)]
    public int RetryDelayMilliseconds { get; set; } = 1000;

    /// <summary>Timeout of one delivery attempt, in seconds.</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_TIMEOUT_SECONDS")]
    [WholeNumber("ACKFC_NOTIFY_TIMEOUT_SECONDS", 1, 120)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Findings listed in a chat digest before "… and N more".</summary>
    [ConfigurationKeyName("ACKFC_NOTIFY_MAX_ITEMS")]
    [WholeNumber("ACKFC_NOTIFY_MAX_ITEMS", 1, 100)]
    public int DigestMaxItems { get; set; } = 10;

    /// <summary>The fleet's regions as configured (comma-separated); see <see cref="ConfiguredRegions"/>.</summary>
    [ConfigurationKeyName("ACKFC_REGIONS")]
    public string? Regions { get; set; }

    /// <summary>The region Function Compute runs the function in; the fleet when <see cref="Regions"/> is not set.</summary>
    [ConfigurationKeyName("FC_REGION")]
    public string? FunctionRegion { get; set; }

    /// <summary>
    /// The fleet's regions (<c>ACKFC_REGIONS</c>, else <c>FC_REGION</c>) as configured; a report covering fewer is a
    /// partial-scope sweep that does not replace the latest report. Empty when neither is set.
    /// </summary>
    public IReadOnlyList<string> ConfiguredRegions =>
        (Regions ?? FunctionRegion ?? string.Empty)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>True when every sweep notifies, not only sweeps with changes.</summary>
    public bool NotifyAlways => string.Equals(NotifyMode, "always", StringComparison.Ordinal);

    /// <summary>
    /// Normalises bound values: an empty or blank variable (a blank line in s.yaml) means "not set", values are
    /// trimmed and the notify mode is case-insensitive.
    /// </summary>
    internal void Normalise()
    {
        ReportDirectory = Text(ReportDirectory) ?? DefaultReportDirectory;
        NotifyMode = Text(NotifyMode)?.ToLowerInvariant() ?? "changes";
        ReportUrl = Text(ReportUrl);
        ReportLinkTtl = Text(ReportLinkTtl) ?? "7d";
        DingTalkUrl = Text(DingTalkUrl);
        DingTalkSecret = Text(DingTalkSecret);
        LarkUrl = Text(LarkUrl);
        LarkSecret = Text(LarkSecret);
        SlackUrl = Text(SlackUrl);
        WebhookUrl = Text(WebhookUrl);
        WebhookSecret = Text(WebhookSecret);
        Regions = Text(Regions);
        FunctionRegion = Text(FunctionRegion);
    }

    private static string? Text(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DingTalkSecret is not null && DingTalkUrl is null)
        {
            yield return new ValidationResult("ACKFC_NOTIFY_DINGTALK_SECRET is set but ACKFC_NOTIFY_DINGTALK_URL is not.", [nameof(DingTalkSecret)]);
        }

        if (LarkSecret is not null && LarkUrl is null)
        {
            yield return new ValidationResult("ACKFC_NOTIFY_LARK_SECRET is set but ACKFC_NOTIFY_LARK_URL is not.", [nameof(LarkSecret)]);
        }

        if (WebhookUrl is not null)
        {
            if (!SigningKey.TryParse(WebhookSecret, out _))
            {
                yield return new ValidationResult(
                    "ACKFC_NOTIFY_WEBHOOK_SECRET must be 'keyId:secret' with a secret of at least 32 characters when ACKFC_NOTIFY_WEBHOOK_URL is set.",
                    [nameof(WebhookSecret)]);
            }
        }
        else if (WebhookSecret is not null)
        {
            yield return new ValidationResult("ACKFC_NOTIFY_WEBHOOK_SECRET is set but ACKFC_NOTIFY_WEBHOOK_URL is not.", [nameof(WebhookSecret)]);
        }
    }
}

/// <summary>Source-generated validator of <see cref="ReportingOptions"/> (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class ReportingOptionsValidator : IValidateOptions<ReportingOptions>;

/// <summary>
/// A chat or webhook channel URL. They carry tokens: only HTTPS leaves the machine; plain HTTP is for loopback
/// (local runs, tests). The message names the variable, never the URL.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ChannelUrlAttribute(string variable) : ValidationAttribute
{
    public string Variable { get; } = variable;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        if (value is not string text)
        {
            return ValidationResult.Success;
        }

        var members = validationContext.MemberName is { } m ? new[] { m } : null;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            return new ValidationResult($"{Variable} must be an absolute https:// URL.", members);
        }

        return uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback
            ? new ValidationResult($"{Variable} must use https:// (plain http is only accepted for loopback addresses).", members)
            : ValidationResult.Success;
    }
}

/// <summary>The report link template: an absolute URL once <c>{sweepId}</c> is filled in.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class ReportUrlTemplateAttribute(string variable) : ValidationAttribute
{
    public string Variable { get; } = variable;

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is not string template || Uri.TryCreate(template.Replace("{sweepId}", "x", StringComparison.Ordinal), UriKind.Absolute, out _)
            ? ValidationResult.Success
            : new ValidationResult($"{Variable} must be an absolute URL.", validationContext.MemberName is { } m ? [m] : null);
}

/// <summary>A presigned link's lifetime: <c>{n}d</c>, <c>{n}h</c>, <c>{n}m</c> or <c>{n}s</c>, from 1 s to 7 days.</summary>
[AttributeUsage(AttributeTargets.Property)]
internal sealed class LinkLifetimeAttribute(string variable) : ValidationAttribute
{
    /// <summary>The longest a V4 presigned OSS link may live (<c>x-oss-expires</c> ≤ 604800).</summary>
    public static readonly TimeSpan Maximum = TimeSpan.FromDays(7);

    public string Variable { get; } = variable;

    public static bool TryParse(string? text, out TimeSpan lifetime)
    {
        lifetime = default;
        if (string.IsNullOrWhiteSpace(text) || text.Trim().Length < 2)
        {
            return false;
        }

        var trimmed = text.Trim();
        var unit = char.ToLowerInvariant(trimmed[^1]) switch
        {
            'd' => TimeSpan.FromDays(1),
            'h' => TimeSpan.FromHours(1),
            'm' => TimeSpan.FromMinutes(1),
            's' => TimeSpan.FromSeconds(1),
            _ => TimeSpan.Zero,
        };
        if (unit == TimeSpan.Zero
            || !long.TryParse(trimmed.AsSpan(0, trimmed.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            || count < 1 || count > (long)Maximum.TotalSeconds)
        {
            return false;
        }

        lifetime = unit * count;
        return lifetime <= Maximum;
    }

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string text && TryParse(text, out _)
            ? ValidationResult.Success
            : new ValidationResult(
                $"{Variable} must be a whole number with a unit d, h, m or s (e.g. 7d, 12h), from 1s to 7d.",
                validationContext.MemberName is { } m ? [m] : null);
}
