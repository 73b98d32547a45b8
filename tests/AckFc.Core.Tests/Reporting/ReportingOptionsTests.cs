using AckFc.Core.Reporting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AckFc.Core.Tests.Reporting;

public sealed class ReportingOptionsTests
{
    private static OptionsValidationException? Validate(Dictionary<string, string?> environment)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(environment).Build();
        using var provider = new ServiceCollection().AddLogging().AddAckFcReporting(configuration).BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<ReportingOptions>>().Value;
            return null;
        }
        catch (OptionsValidationException ex)
        {
            return ex;
        }
    }

    [Theory]
    [InlineData("ACKFC_NOTIFY_MODE", "sometimes", "ACKFC_NOTIFY_MODE")]
    [InlineData("ACKFC_REPORT_RETENTION", "0", "ACKFC_REPORT_RETENTION")]
    [InlineData("ACKFC_REPORT_RETENTION", "thirty", "ACKFC_REPORT_RETENTION")]
    [InlineData("ACKFC_NOTIFY_DINGTALK_URL", "not a url", "ACKFC_NOTIFY_DINGTALK_URL")]
    [InlineData("ACKFC_NOTIFY_SLACK_URL", "http://hooks.example.com/services/x", "ACKFC_NOTIFY_SLACK_URL")]
    [InlineData("ACKFC_NOTIFY_LARK_SECRET", "only-a-secret", "ACKFC_NOTIFY_LARK_URL")]
    [InlineData("ACKFC_NOTIFY_WEBHOOK_URL", "https://example.com/hook", "ACKFC_NOTIFY_WEBHOOK_SECRET")]
    [InlineData("ACKFC_REPORT_URL", "relative/path", "ACKFC_REPORT_URL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "8d", "ACKFC_REPORT_LINK_TTL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "604801s", "ACKFC_REPORT_LINK_TTL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "169h", "ACKFC_REPORT_LINK_TTL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "0s", "ACKFC_REPORT_LINK_TTL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "3600", "ACKFC_REPORT_LINK_TTL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "1.5h", "ACKFC_REPORT_LINK_TTL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "-1d", "ACKFC_REPORT_LINK_TTL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "2w", "ACKFC_REPORT_LINK_TTL")]
    [InlineData("ACKFC_REPORT_LINK_TTL", "d", "ACKFC_REPORT_LINK_TTL")]
    public void AddAckFcReporting_BadSetting_ErrorNamesTheVariable(string variable, string value, string named)
    {
        var error = Validate(new() { [variable] = value });

        Assert.NotNull(error);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        if (variable.EndsWith("SECRET", StringComparison.Ordinal))
        {
            Assert.DoesNotContain(value, error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(null, 7 * 24 * 3600)]
    [InlineData("  ", 7 * 24 * 3600)]
    [InlineData("7d", 7 * 24 * 3600)]
    [InlineData("168H", 7 * 24 * 3600)]
    [InlineData("10080m", 7 * 24 * 3600)]
    [InlineData("604800s", 604800)]
    [InlineData(" 12h ", 12 * 3600)]
    [InlineData("1s", 1)]
    public void AddAckFcReporting_ReportLinkTtl_ParsedWithItsUnit(string? value, int seconds)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ACKFC_REPORT_LINK_TTL"] = value }).Build();
        using var provider = new ServiceCollection().AddLogging().AddAckFcReporting(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ReportingOptions>>().Value;

        Assert.Equal(TimeSpan.FromSeconds(seconds), options.ReportLinkLifetime);
    }

    [Fact]
    public void AddAckFcReporting_ShortWebhookSecret_RefusedWithoutEchoingIt()
    {
        var error = Validate(new() { ["ACKFC_NOTIFY_WEBHOOK_URL"] = "https://example.com/hook", ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "ops:tooShortSecret" });

        Assert.NotNull(error);
        Assert.Contains("at least 32 characters", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tooShortSecret", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAckFcReporting_Defaults_ValidWithNoChannels()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([]).Build();
        using var provider = new ServiceCollection().AddLogging().AddAckFcReporting(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ReportingOptions>>().Value;

        Assert.Equal("./reports", options.ReportDirectory);
        Assert.Equal(30, options.Retention);
        Assert.False(options.NotifyAlways);
        Assert.Empty(provider.GetRequiredService<Notifier>().Channels);
        Assert.NotNull(provider.GetRequiredService<IReportPublisher>());
    }

    [Fact]
    public void AddAckFcReporting_AllChannels_ConfiguredFromEnvironmentNames()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ACKFC_NOTIFY_DINGTALK_URL"] = "https://oapi.dingtalk.com/robot/send?access_token=abc",
            ["ACKFC_NOTIFY_DINGTALK_SECRET"] = "SECabc",
            ["ACKFC_NOTIFY_LARK_URL"] = "https://open.feishu.cn/open-apis/bot/v2/hook/abc",
            ["ACKFC_NOTIFY_SLACK_URL"] = "https://hooks.slack.com/services/T/B/abc",
            ["ACKFC_NOTIFY_WEBHOOK_URL"] = "https://example.com/hook",
            ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "k1:0123456789abcdef0123456789abcdef",
            ["ACKFC_NOTIFY_MODE"] = "ALWAYS",
        }).Build();
        using var provider = new ServiceCollection().AddLogging().AddAckFcReporting(configuration).BuildServiceProvider();

        var notifier = provider.GetRequiredService<Notifier>();

        Assert.Equal(["dingtalk", "lark", "slack", "webhook"], notifier.Channels.Select(c => c.Name));
        Assert.True(provider.GetRequiredService<IOptions<ReportingOptions>>().Value.NotifyAlways);
        Assert.All(notifier.Channels, c => Assert.DoesNotContain("abc", c.SafeEndpoint, StringComparison.Ordinal));
    }
}
