using System.Text.Json;
using AckFc.Core.Compliance;
using AckFc.Core.Reporting;
using AckFc.Core.Rules;

namespace AckFc.Core.Tests.Reporting;

/// <summary>
/// Issue 17 items 15 to 18 and issue 18 item 2: hostile names stay inert text in every format and channel, and a
/// token that a chat endpoint echoes back (exactly, lower-cased or cut short) never reaches an error or a log.
/// </summary>
public sealed class HostileTextAndRedactionTests
{
    // Mixed case on purpose: a lower-cased echo differs from it.
    private const string Token = "Tk9QzX7mWc4RbV2nLp8YhD3sGf6JaE1u";
    private const string DingTalkSecret = "SECa1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ0123456789abcdefABCDEF0123";
    private const string LarkSecret = "LarkSigning5ecretQwErTy0123456789";
    private const string WebhookSecret = "HookSigning5ecretAsDfGh0123456789xyz";

    private static ReportDigest Digest(string name, string clusterId = "c-demo", string message = "Key key-1 is deleted in 5 days")
    {
        var cluster = ReportFixtures.Cluster(clusterId, name, "cn-hangzhou",
            [ReportFixtures.Fail(RuleCatalog.KeyPendingDeletion, message, "key-1", 5)], "key-1");
        var report = ReportFixtures.Report([cluster], "daily-hostile");
        return ReportDigest.Create(report, null, 10, new Uri("https://reports.example.com/daily-hostile"));
    }

    // ---- item 15: CSV ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("x;=1+1", "\"x;'=1+1\"")]
    [InlineData("a;b", "\"a;b\"")]
    [InlineData(" =1+1", " '=1+1")]
    [InlineData("\"=1+1\"", "\"\"\"'=1+1\"\"\"")]
    [InlineData("ok\n@SUM(A1)", "\"ok\n'@SUM(A1)\"")]
    [InlineData("ok;\t-1", "\"ok;'\t-1\"")]
    [InlineData("\uFF1D1+1", "'\uFF1D1+1")]
    [InlineData("\rcmd", "\"'\rcmd\"")]
    [InlineData("bell\u0007 esc\u001B[2J nul\u0000 sep\u2028 rlo\u202E", "bell{U+0007} esc{U+001B}[2J nul{U+0000} sep{U+2028} rlo{U+202E}")]
    public void Csv_Field_SemicolonQuotedFormulaNeutralisedHiddenSpelledOut(string value, string expected) =>
        Assert.Equal(expected, CsvReportRenderer.Field(value));

    // ---- item 16: Slack, DingTalk, Lark -----------------------------------------------------------------------

    [Fact]
    public void Slack_HostileName_MentionsLinksAndCodeSpansInert()
    {
        var digest = Digest("@channel <!here> https://evil.example/x @everyone", clusterId: "c-`) *x* <!channel>");

        using var payload = JsonDocument.Parse(NotificationPayloads.Slack(digest));

        var texts = payload.RootElement.GetProperty("blocks").EnumerateArray()
            .SelectMany(b => b.TryGetProperty("text", out var t) ? new[] { t } : b.GetProperty("elements").EnumerateArray().ToArray())
            .ToList();
        Assert.All(texts.Where(t => t.GetProperty("type").GetString() == "mrkdwn"), t => Assert.True(t.GetProperty("verbatim").GetBoolean()));
        var items = string.Join("\n", texts.Select(t => t.GetProperty("text").GetString()));
        Assert.DoesNotContain("@channel", items, StringComparison.Ordinal);
        Assert.DoesNotContain("@everyone", items, StringComparison.Ordinal);
        Assert.DoesNotContain("<!", items, StringComparison.Ordinal);
        Assert.DoesNotContain("https://evil", items, StringComparison.Ordinal);
        Assert.Contains("\uFF20channel &lt;!here&gt; https[:]//evil.example/x \uFF20everyone", items, StringComparison.Ordinal);
        // The id stays inside its code span: no backtick from the id, so exactly two around it.
        Assert.Contains("(`c-') *x* &lt;!channel&gt;`, cn-hangzhou)", items, StringComparison.Ordinal);
    }

    [Fact]
    public void DingTalk_HostileName_MarkdownMentionsAndLinksInert()
    {
        var digest = Digest("@all [x](https://evil.example) www.evil.example \u202Eexe", clusterId: "c-`x`");

        using var payload = JsonDocument.Parse(NotificationPayloads.DingTalk(digest));

        var text = payload.RootElement.GetProperty("markdown").GetProperty("text").GetString()!;
        Assert.Contains("\uFF20all \\[x\\](https\\[:\\]//evil.example) www\\[.\\]evil.example {U+202E}exe", text, StringComparison.Ordinal);
        Assert.Contains("(`c-'x'`,", text, StringComparison.Ordinal);
        Assert.DoesNotContain("@all", text, StringComparison.Ordinal);
        Assert.DoesNotContain('\u202E', text);
    }

    [Fact]
    public void Lark_HostileName_PlainTextWithHiddenCharactersSpelledOut()
    {
        var digest = Digest("pay\u202Egpj.exe\u0000 @all https://evil.example", message: "line\u2028break\u001B[31m");

        using var payload = JsonDocument.Parse(NotificationPayloads.Lark(digest, null, null));

        var body = payload.RootElement.GetProperty("card").GetProperty("elements")[0].GetProperty("text");
        Assert.Equal("plain_text", body.GetProperty("tag").GetString());
        var content = body.GetProperty("content").GetString()!;
        Assert.Contains("pay{U+202E}gpj.exe{U+0000} \uFF20all https[:]//evil.example", content, StringComparison.Ordinal);
        Assert.Contains("line{U+2028}break{U+001B}[31m", content, StringComparison.Ordinal);
    }

    [Fact]
    public void Webhook_HostileName_HiddenCharactersSpelledOutInTheJson()
    {
        var report = ReportFixtures.Report([ReportFixtures.Cluster("c-demo", "pay\u202Egpj\u200B\u0000", "cn-hangzhou",
            [ReportFixtures.Fail(RuleCatalog.KeyPendingDeletion, "m\u2028", "key-1", 5)], "key-1")], "daily-hostile");
        var digest = ReportDigest.Create(report, null);

        var bytes = NotificationPayloads.Webhook(report, null, digest);

        using var payload = JsonDocument.Parse(bytes);
        var item = payload.RootElement.GetProperty("items")[0];
        Assert.Equal("pay{U+202E}gpj{U+200B}{U+0000}", item.GetProperty("clusterName").GetString());
        Assert.Equal("m{U+2028}", item.GetProperty("message").GetString());
    }

    // ---- item 18 / issue 18 item 2: token echoes --------------------------------------------------------------

    public enum Echo
    {
        Exact,
        LowerCase,
        Partial,
    }

    private static string Echoed(string secret, Echo echo) => echo switch
    {
        Echo.Exact => secret,
        Echo.LowerCase => secret.ToLowerInvariant(),
        _ => secret.Substring(3, 14).ToUpperInvariant(),
    };

    public static TheoryData<string, Echo> Cases()
    {
        var data = new TheoryData<string, Echo>();
        foreach (var channel in new[] { "dingtalk", "lark", "slack", "webhook" })
        {
            foreach (var echo in Enum.GetValues<Echo>())
            {
                data.Add(channel, echo);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task EchoedToken_InTheChannelsAnswer_RedactedFromErrorAndLogs(string channel, Echo echo)
    {
        // Slack's URL is its only secret.
        var secret = channel switch { "dingtalk" => DingTalkSecret, "lark" => LarkSecret, "slack" => Token, _ => WebhookSecret };
        var said = $"{Echoed(Token, echo)} / {Echoed(secret, echo)}";
        // How each endpoint says "no": DingTalk and Lark with HTTP 200 and a code, Slack and a webhook with a 4xx text.
        var (status, body) = channel switch
        {
            "dingtalk" => (200, $$"""{"errcode":300001,"errmsg":"token is not exist: {{said}}"}"""),
            "lark" => (200, $$"""{"code":19001,"msg":"param invalid: incoming webhook access token invalid {{said}}"}"""),
            "slack" => (404, $"no_service: {said}"),
            _ => (403, $$"""{"error":"unknown key for {{said}}"}"""),
        };
        await using var server = await LoopbackServer.StartAsync(_ => (status, body));
        var environment = channel switch
        {
            "dingtalk" => new Dictionary<string, string?>
            {
                ["ACKFC_NOTIFY_DINGTALK_URL"] = new Uri(server.BaseAddress, $"robot/send?access_token={Token}").AbsoluteUri,
                ["ACKFC_NOTIFY_DINGTALK_SECRET"] = DingTalkSecret,
            },
            "lark" => new Dictionary<string, string?>
            {
                ["ACKFC_NOTIFY_LARK_URL"] = new Uri(server.BaseAddress, $"open-apis/bot/v2/hook/{Token}").AbsoluteUri,
                ["ACKFC_NOTIFY_LARK_SECRET"] = LarkSecret,
            },
            "slack" => new Dictionary<string, string?> { ["ACKFC_NOTIFY_SLACK_URL"] = new Uri(server.BaseAddress, $"services/T0001/B0001/{Token}").AbsoluteUri },
            _ => new Dictionary<string, string?>
            {
                ["ACKFC_NOTIFY_WEBHOOK_URL"] = new Uri(server.BaseAddress, $"notify?token={Token}").AbsoluteUri,
                ["ACKFC_NOTIFY_WEBHOOK_SECRET"] = "ops:" + WebhookSecret,
            },
        };
        environment["ACKFC_NOTIFY_ATTEMPTS"] = "1";
        using var h = new ReportingHarness(environment);
        var digest = Digest("prod-payments");
        var report = ReportFixtures.Report([], "daily-echo");

        var outcome = await h.Notifier.NotifyAsync(new Notification(report, null, digest), new HashSet<string>(), CancellationToken.None);

        var error = Assert.Single(outcome.Errors);
        Assert.Empty(outcome.Delivered);
        // The channel's words are kept (they say what is wrong), the echoed secrets are not.
        Assert.Contains(channel switch { "dingtalk" => "token is not exist", "lark" => "param invalid", "slack" => "no_service", _ => "unknown key" },
            error.Message, StringComparison.Ordinal);
        Assert.Contains("***", error.Message, StringComparison.Ordinal);
        foreach (var text in new[] { error.Message, h.AllLogText })
        {
            Assert.DoesNotContain(Echoed(Token, echo), text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Echoed(secret, echo), text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Token[..8], text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("no echo at all here", "no echo at all here")]
    [InlineData("abcdefghIJKLMNOP", "***")]
    [InlineData("xx ABCDEFGH yy", "xx *** yy")]
    [InlineData("xx abcdefg yy", "xx abcdefg yy")]
    [InlineData("ijklmnopqrstuvwx and hijklmnop", "*** and ***")]
    public void RedactPieces_EightOrMoreCharactersOfTheSecretInARow_AnyCase(string text, string expected) =>
        Assert.Equal(expected, NotificationChannel.RedactPieces(text, "abcdefghijklmnopqrstuvwxyz"));
}
