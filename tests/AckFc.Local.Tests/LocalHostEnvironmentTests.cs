using AckFc.Local;

namespace AckFc.Local.Tests;

public sealed class LocalHostEnvironmentTests
{
    private static readonly LocalHostEnvironment Base = new()
    {
        Regions = ["cn-hangzhou", "cn-shanghai"],
        CloudEndpoint = "http://127.0.0.1:8085",
        AccessKeyId = "id",
        AccessKeySecret = "secret",
    };

    public static TheoryData<string, LocalHostEnvironment, string> Cases => new()
    {
        {
            "cloud only", Base,
            "ACKFC_REGIONS=cn-hangzhou,cn-shanghai|ACKFC_CS_ENDPOINT=http://127.0.0.1:8085|ACKFC_KMS_ENDPOINT=http://127.0.0.1:8085|ALIBABA_CLOUD_ACCESS_KEY_ID=id|ALIBABA_CLOUD_ACCESS_KEY_SECRET=secret"
        },
        {
            "runner", Base with { PolicyFile = "p.yaml", ReportDirectory = "r", WebhookSecrets = "local:abc", Function = "all", SecurityToken = "t" },
            "ACKFC_REGIONS=cn-hangzhou,cn-shanghai|ACKFC_CS_ENDPOINT=http://127.0.0.1:8085|ACKFC_KMS_ENDPOINT=http://127.0.0.1:8085|ALIBABA_CLOUD_ACCESS_KEY_ID=id|ALIBABA_CLOUD_ACCESS_KEY_SECRET=secret|ALIBABA_CLOUD_SECURITY_TOKEN=t|ACKFC_POLICY=p.yaml|ACKFC_REPORT_DIR=r|ACKFC_WEBHOOK_SECRETS=local:abc|ACKFC_FUNCTION=all"
        },
        {
            "reports on OSS, bucket in the first region", Base with { OssReportStore = "oss://ackfc-reports/local/", ListenPort = 9000 },
            "ACKFC_REGIONS=cn-hangzhou,cn-shanghai|ACKFC_CS_ENDPOINT=http://127.0.0.1:8085|ACKFC_KMS_ENDPOINT=http://127.0.0.1:8085|ALIBABA_CLOUD_ACCESS_KEY_ID=id|ALIBABA_CLOUD_ACCESS_KEY_SECRET=secret|ACKFC_REPORT_STORE=oss://ackfc-reports/local/|FC_REGION=cn-hangzhou|ACKFC_OSS_ENDPOINT=http://127.0.0.1:8085|FC_CUSTOM_LISTEN_PORT=9000"
        },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Arguments_SetVariablesOnlyInAStableOrder(string name, LocalHostEnvironment environment, string expected)
    {
        Assert.False(string.IsNullOrEmpty(name));

        Assert.Equal(expected, string.Join('|', environment.Arguments()));
    }

    [Fact]
    public void ApplyTo_SetsEveryVariableAndKeepsOthers()
    {
        var target = new Dictionary<string, string?> { ["HOME"] = "/tmp", ["ACKFC_REGIONS"] = "old" };

        (Base with { ReportDirectory = "r" }).ApplyTo(target);

        Assert.Equal("/tmp", target["HOME"]);
        Assert.Equal("cn-hangzhou,cn-shanghai", target["ACKFC_REGIONS"]);
        Assert.Equal("r", target["ACKFC_REPORT_DIR"]);
        Assert.Equal(7, target.Count);
    }

    [Fact]
    public void ToString_NeverShowsTheSecret() =>
        Assert.DoesNotContain("secret", (Base with { SecurityToken = "token" }).ToString(), StringComparison.Ordinal);
}
