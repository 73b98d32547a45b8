using System.ComponentModel.DataAnnotations;
using AckFc.Core.Signatures;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Reporting;

/// <summary>
/// Where reports go and who hears about them. Read from the environment only (the channel settings hold secrets,
/// so they never come from the policy file); every message names the environment variable to fix.
/// </summary>
public sealed class ReportingOptions
{
    /// <summary><c>ACKFC_REPORT_DIR</c>: directory of the report sets and <c>latest.json</c>.</summary>
    [Required(AllowEmptyStrings = false, ErrorMessage = "ACKFC_REPORT_DIR must name a directory.")]
    public string ReportDirectory { get; set; } = "./reports";

    /// <summary><c>ACKFC_REPORT_RETENTION</c>: how many report sets to keep (oldest deleted first).</summary>
    public int Retention { get; set; } = 30;

    /// <summary><c>ACKFC_NOTIFY_MODE</c>: <c>changes</c> (default) notifies only when findings are new, resolved or escalated; <c>always</c> after every sweep.</summary>
    [RegularExpression("^(changes|always)$", ErrorMessage = "ACKFC_NOTIFY_MODE must be 'changes' or 'always'.")]
    public string NotifyMode { get; set; } = "changes";

    /// <summary><c>ACKFC_REPORT_URL</c>: link to the full report in digests; <c>{sweepId}</c> is replaced.</summary>
    public string? ReportUrl { get; set; }

    /// <summary><c>ACKFC_NOTIFY_DINGTALK_URL</c>: the robot's webhook URL (with its access token).</summary>
    public string? DingTalkUrl { get; set; }

    /// <summary><c>ACKFC_NOTIFY_DINGTALK_SECRET</c>: the robot's signing secret (<c>SEC…</c>).</summary>
    public string? DingTalkSecret { get; set; }

    /// <summary><c>ACKFC_NOTIFY_LARK_URL</c>: the Lark / Feishu custom bot's webhook URL.</summary>
    public string? LarkUrl { get; set; }

    /// <summary><c>ACKFC_NOTIFY_LARK_SECRET</c>: the bot's signing secret.</summary>
    public string? LarkSecret { get; set; }

    /// <summary><c>ACKFC_NOTIFY_SLACK_URL</c>: a Slack incoming webhook URL.</summary>
    public string? SlackUrl { get; set; }

    /// <summary><c>ACKFC_NOTIFY_WEBHOOK_URL</c>: a generic HTTPS endpoint that receives the JSON digest.</summary>
    public string? WebhookUrl { get; set; }

    /// <summary><c>ACKFC_NOTIFY_WEBHOOK_SECRET</c>: <c>keyId:secret</c> for the <c>X-AckFc-Signature</c> header.</summary>
    public string? WebhookSecret { get; set; }

    /// <summary><c>ACKFC_NOTIFY_ATTEMPTS</c>: delivery attempts per channel.</summary>
    public int NotifyAttempts { get; set; } = 3;

    /// <summary><c>ACKFC_NOTIFY_RETRY_DELAY_MS</c>: first backoff delay; doubled on each retry.</summary>
    public int RetryDelayMilliseconds { get; set; } = 1000;

    /// <summary><c>ACKFC_NOTIFY_TIMEOUT_SECONDS</c>: timeout of one delivery attempt.</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary><c>ACKFC_NOTIFY_MAX_ITEMS</c>: findings listed in a chat digest before "… and N more".</summary>
    public int DigestMaxItems { get; set; } = 10;

    /// <summary>True when every sweep notifies, not only sweeps with changes.</summary>
    /// <summary>
    /// The fleet's regions (<c>ACKFC_REGIONS</c>, else <c>FC_REGION</c>) as configured; a report covering fewer is a
    /// partial-scope sweep that does not replace the latest report. Empty when neither is set.
    /// </summary>
    public IReadOnlyList<string> ConfiguredRegions { get; set; } = [];

    public bool NotifyAlways => string.Equals(NotifyMode, "always", StringComparison.Ordinal);

    /// <summary>Reads the options from configuration keys named as the environment variables.</summary>
    public static ReportingOptions FromConfiguration(Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new ReportingOptions();
        options.ReportDirectory = Text(configuration, "ACKFC_REPORT_DIR") ?? options.ReportDirectory;
        options.Retention = Number(configuration, "ACKFC_REPORT_RETENTION") ?? options.Retention;
        options.NotifyMode = Text(configuration, "ACKFC_NOTIFY_MODE")?.ToLowerInvariant() ?? options.NotifyMode;
        options.ReportUrl = Text(configuration, "ACKFC_REPORT_URL");
        options.DingTalkUrl = Text(configuration, "ACKFC_NOTIFY_DINGTALK_URL");
        options.DingTalkSecret = Text(configuration, "ACKFC_NOTIFY_DINGTALK_SECRET");
        options.LarkUrl = Text(configuration, "ACKFC_NOTIFY_LARK_URL");
        options.LarkSecret = Text(configuration, "ACKFC_NOTIFY_LARK_SECRET");
        options.SlackUrl = Text(configuration, "ACKFC_NOTIFY_SLACK_URL");
        options.WebhookUrl = Text(configuration, "ACKFC_NOTIFY_WEBHOOK_URL");
        options.WebhookSecret = Text(configuration, "ACKFC_NOTIFY_WEBHOOK_SECRET");
        options.NotifyAttempts = Number(configuration, "ACKFC_NOTIFY_ATTEMPTS") ?? options.NotifyAttempts;
        options.RetryDelayMilliseconds = Number(configuration, "ACKFC_NOTIFY_RETRY_DELAY_MS") ?? options.RetryDelayMilliseconds;
        options.TimeoutSeconds = Number(configuration, "ACKFC_NOTIFY_TIMEOUT_SECONDS") ?? options.TimeoutSeconds;
        options.DigestMaxItems = Number(configuration, "ACKFC_NOTIFY_MAX_ITEMS") ?? options.DigestMaxItems;
        options.ConfiguredRegions = (Text(configuration, "ACKFC_REGIONS") ?? Text(configuration, "FC_REGION") ?? string.Empty)
            .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();
        return options;
    }

    private static string? Text(Microsoft.Extensions.Configuration.IConfiguration configuration, string key) =>
        configuration[key] is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;

    // A value that is not a number becomes -1, which the range check then reports with the variable's name.
    private static int? Number(Microsoft.Extensions.Configuration.IConfiguration configuration, string key) =>
        Text(configuration, key) is { } text
            ? int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1
            : null;
}

/// <summary>DataAnnotations of <see cref="ReportingOptions"/>, source-generated (AOT-safe).</summary>
[OptionsValidator]
internal sealed partial class ReportingOptionsValidator : IValidateOptions<ReportingOptions>;

/// <summary>The checks DataAnnotations cannot express here: ranges named by variable, URLs, channel pairs, the webhook key.</summary>
internal sealed class ReportingChannelValidator : IValidateOptions<ReportingOptions>
{
    public ValidateOptionsResult Validate(string? name, ReportingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        // Ranges are checked here: the source-generated RangeAttribute ignores ErrorMessage, and the message must
        // name the environment variable.
        CheckRange(options.Retention, 1, 100_000, "ACKFC_REPORT_RETENTION", failures);
        CheckRange(options.NotifyAttempts, 1, 10, "ACKFC_NOTIFY_ATTEMPTS", failures);
        CheckRange(options.RetryDelayMilliseconds, 0, 60_000, "ACKFC_NOTIFY_RETRY_DELAY_MS", failures);
        CheckRange(options.TimeoutSeconds, 1, 120, "ACKFC_NOTIFY_TIMEOUT_SECONDS", failures);
        CheckRange(options.DigestMaxItems, 1, 100, "ACKFC_NOTIFY_MAX_ITEMS", failures);
        CheckUrl(options.DingTalkUrl, "ACKFC_NOTIFY_DINGTALK_URL", failures);
        CheckUrl(options.LarkUrl, "ACKFC_NOTIFY_LARK_URL", failures);
        CheckUrl(options.SlackUrl, "ACKFC_NOTIFY_SLACK_URL", failures);
        CheckUrl(options.WebhookUrl, "ACKFC_NOTIFY_WEBHOOK_URL", failures);
        if (options.ReportUrl is { } link && !Uri.TryCreate(link.Replace("{sweepId}", "x", StringComparison.Ordinal), UriKind.Absolute, out _))
        {
            failures.Add("ACKFC_REPORT_URL must be an absolute URL.");
        }

        if (options.DingTalkSecret is not null && options.DingTalkUrl is null)
        {
            failures.Add("ACKFC_NOTIFY_DINGTALK_SECRET is set but ACKFC_NOTIFY_DINGTALK_URL is not.");
        }

        if (options.LarkSecret is not null && options.LarkUrl is null)
        {
            failures.Add("ACKFC_NOTIFY_LARK_SECRET is set but ACKFC_NOTIFY_LARK_URL is not.");
        }

        if (options.WebhookUrl is not null)
        {
            if (!SigningKey.TryParse(options.WebhookSecret, out _))
            {
                failures.Add("ACKFC_NOTIFY_WEBHOOK_SECRET must be 'keyId:secret' with a secret of at least 32 characters when ACKFC_NOTIFY_WEBHOOK_URL is set.");
            }
        }
        else if (options.WebhookSecret is not null)
        {
            failures.Add("ACKFC_NOTIFY_WEBHOOK_SECRET is set but ACKFC_NOTIFY_WEBHOOK_URL is not.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckRange(int value, int minimum, int maximum, string variable, List<string> failures)
    {
        if (value < minimum || value > maximum)
        {
            failures.Add($"{variable} must be a whole number from {minimum} to {maximum}.");
        }
    }

    // Chat webhooks carry tokens: only HTTPS leaves the machine; plain HTTP is for loopback (local runs, tests).
    private static void CheckUrl(string? value, string variable, List<string> failures)
    {
        if (value is null)
        {
            return;
        }

        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            failures.Add($"{variable} must be an absolute https:// URL.");
        }
        else if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            failures.Add($"{variable} must use https:// (plain http is only accepted for loopback addresses).");
        }
    }
}
