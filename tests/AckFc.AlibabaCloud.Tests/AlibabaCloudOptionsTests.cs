using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Http;
using AckFc.AlibabaCloud.Kms;
using AckFc.AlibabaCloud.ResourceManager;
using AckFc.AlibabaCloud.Sts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace AckFc.AlibabaCloud.Tests;

public sealed class AlibabaCloudOptionsTests
{
    [Fact]
    public void AddAlibabaCloud_NothingSet_PublishedDefaultsAndValid()
    {
        using var provider = Build([]);

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<AlibabaCloudOptions>>().Value;

        Assert.Equal("https://cs.{region}.aliyuncs.com", options.CsEndpoint);
        Assert.Equal("https://kms.{region}.aliyuncs.com", options.KmsEndpoint);
        Assert.Equal("https://sts.{region}.aliyuncs.com", options.StsEndpoint);
        Assert.Equal("https://resourcemanager.aliyuncs.com", options.ResourceManagerEndpoint);
        Assert.Equal((20, 50, 5, 10.0, 60.0), (options.CsQps, options.KmsQps, options.MaxAttempts, options.AttemptTimeoutSeconds, options.TotalTimeoutSeconds));
    }

    [Fact]
    public void Resolve_DefaultTemplates_RegionalHosts()
    {
        using var provider = Build([]);
        var resolver = provider.GetRequiredService<AcsEndpointResolver>();

        Assert.Equal(new Uri("https://cs.cn-shanghai.aliyuncs.com"), resolver.Resolve(AcsService.Cs, "cn-shanghai"));
        Assert.Equal(new Uri("https://kms.ap-southeast-1.aliyuncs.com"), resolver.Resolve(AcsService.Kms, "ap-southeast-1"));
        Assert.Equal(new Uri("https://sts.cn-beijing.aliyuncs.com"), resolver.Resolve(AcsService.Sts, "cn-beijing"));
        Assert.Equal(new Uri("https://resourcemanager.aliyuncs.com"), resolver.Resolve(AcsService.ResourceManager, AcsRequest.CentralRegion));
    }

    [Fact]
    public void Resolve_ConfiguredStsAndResourceManager_TemplatesUsed()
    {
        using var provider = Build(new()
        {
            ["ACKFC_STS_ENDPOINT"] = "https://sts-vpc.{region}.aliyuncs.com",
            ["ACKFC_RESOURCEMANAGER_ENDPOINT"] = "http://127.0.0.1:8085/",
        });
        provider.GetRequiredService<IStartupValidator>().Validate();
        var resolver = provider.GetRequiredService<AcsEndpointResolver>();

        Assert.Equal(new Uri("https://sts-vpc.cn-shanghai.aliyuncs.com"), resolver.Resolve(AcsService.Sts, "cn-shanghai"));
        Assert.Equal(new Uri("http://127.0.0.1:8085"), resolver.Resolve(AcsService.ResourceManager, AcsRequest.CentralRegion));
        Assert.Throws<ArgumentException>(() => resolver.Resolve(AcsService.Sts, AcsRequest.CentralRegion));
    }

    [Theory]
    [InlineData("ACKFC_STS_ENDPOINT")]
    [InlineData("ACKFC_RESOURCEMANAGER_ENDPOINT")]
    public void AddAlibabaCloud_BlankStsOrResourceManagerEndpoint_TreatedAsUnset(string variable)
    {
        using var provider = Build(new() { [variable] = "" });

        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<AlibabaCloudOptions>>().Value;
        Assert.Equal(
            (AlibabaCloudOptions.DefaultStsEndpoint, AlibabaCloudOptions.DefaultResourceManagerEndpoint),
            (options.StsEndpoint, options.ResourceManagerEndpoint));
    }

    [Theory]
    [InlineData("ACKFC_STS_ENDPOINT", "sts.{region}.aliyuncs.com")]
    [InlineData("ACKFC_STS_ENDPOINT", "https://sts.{regionId}.aliyuncs.com")]
    [InlineData("ACKFC_STS_ENDPOINT", "https://user:pw@sts.aliyuncs.com")]
    [InlineData("ACKFC_RESOURCEMANAGER_ENDPOINT", "https://resourcemanager.{region}.aliyuncs.com")]
    [InlineData("ACKFC_RESOURCEMANAGER_ENDPOINT", "ftp://resourcemanager.aliyuncs.com")]
    [InlineData("ACKFC_RESOURCEMANAGER_ENDPOINT", "https://resourcemanager.aliyuncs.com#top")]
    public void Validate_BadStsOrResourceManagerEndpoint_FailsAtStartNamingTheVariable(string variable, string value)
    {
        using var provider = Build(new() { [variable] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
        Assert.Single(error.Failures);
    }

    [Fact]
    public void Validate_ResourceManagerWithRegion_SaysTheServiceIsCentral()
    {
        using var provider = Build(new() { ["ACKFC_RESOURCEMANAGER_ENDPOINT"] = "https://resourcemanager.{region}.aliyuncs.com" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("central", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ACKFC_STS_ENDPOINT", "http://127.0.0.1:8085")]
    [InlineData("ACKFC_STS_ENDPOINT", "https://sts.aliyuncs.com")]
    [InlineData("ACKFC_RESOURCEMANAGER_ENDPOINT", "http://localhost:8085/rm")]
    public void Validate_UsableStsOrResourceManagerEndpoint_Accepted(string variable, string value)
    {
        using var provider = Build(new() { [variable] = value });

        provider.GetRequiredService<IStartupValidator>().Validate();
    }

    [Fact]
    public void AddAlibabaCloud_BlankEndpoint_TreatedAsUnset()
    {
        using var provider = Build(new() { ["ACKFC_KMS_ENDPOINT"] = "  " });

        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(AlibabaCloudOptions.DefaultKmsEndpoint, provider.GetRequiredService<IOptions<AlibabaCloudOptions>>().Value.KmsEndpoint);
    }

    [Theory]
    [InlineData("ACKFC_CS_ENDPOINT", "cs.{region}.aliyuncs.com")]
    [InlineData("ACKFC_CS_ENDPOINT", "ftp://cs.{region}.aliyuncs.com")]
    [InlineData("ACKFC_KMS_ENDPOINT", "https://kms.{region}.aliyuncs.com?x=1")]
    [InlineData("ACKFC_KMS_ENDPOINT", "https://kms.{regionId}.aliyuncs.com")]
    public void Validate_BadEndpointTemplate_FailsAtStartNamingTheVariable(string variable, string value)
    {
        using var provider = Build(new() { [variable] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:9000/{region}")]
    [InlineData("https://cs-vpc.{region}.aliyuncs.com/")]
    public void Validate_UsableEndpointTemplate_Accepted(string value)
    {
        using var provider = Build(new() { ["ACKFC_CS_ENDPOINT"] = value });

        provider.GetRequiredService<IStartupValidator>().Validate();

        Assert.Equal(value, provider.GetRequiredService<IOptions<AlibabaCloudOptions>>().Value.CsEndpoint);
    }

    [Theory]
    [InlineData("ACKFC_CS_QPS", "0")]
    [InlineData("ACKFC_KMS_QPS", "20000")]
    [InlineData("ACKFC_CLOUD_MAX_ATTEMPTS", "0")]
    [InlineData("ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS", "0")]
    public void Validate_OutOfRange_FailsAtStartNamingTheVariable(string variable, string value)
    {
        using var provider = Build(new() { [variable] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(variable, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_NotANumber_FailsNamingTheVariable()
    {
        using var provider = Build(new() { ["ACKFC_CS_QPS"] = "fast" });

        // A validation failure like any other bad value, so the host catches one exception type for every setting.
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ACKFC_CS_QPS", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_TotalShorterThanAttempt_FailsNamingBoth()
    {
        using var provider = Build(new() { ["ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS"] = "30", ["ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS"] = "10" });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("ACKFC_CLOUD_TOTAL_TIMEOUT_SECONDS", error.Message, StringComparison.Ordinal);
        Assert.Contains("ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cn-hangzhou", true)]
    [InlineData("ap-southeast-1", true)]
    [InlineData("cn-shanghai-finance-1", true)]
    [InlineData("us-west-1", true)]
    [InlineData("CN-HANGZHOU", false)]
    [InlineData("cn_hangzhou", false)]
    [InlineData("hangzhou", false)]
    [InlineData("cn-hangzhou.evil.com", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsValid_RegionIds_AcceptsOnlyRegionShape(string? regionId, bool expected) =>
        Assert.Equal(expected, AlibabaCloudRegion.IsValid(regionId));

    [Fact]
    public async Task AddAlibabaCloud_Lifetimes_ClientsScopedWithPerScopeInvocationCredentials()
    {
        using var provider = Build([]);
        await using var first = provider.CreateAsyncScope();
        await using var second = provider.CreateAsyncScope();

        Assert.Same(
            first.ServiceProvider.GetRequiredService<IAckClient>(), first.ServiceProvider.GetRequiredService<IAckClient>());
        Assert.NotSame(
            first.ServiceProvider.GetRequiredService<IKmsClient>(), second.ServiceProvider.GetRequiredService<IKmsClient>());
        Assert.NotSame(
            first.ServiceProvider.GetRequiredService<InvocationCredentials>(),
            second.ServiceProvider.GetRequiredService<InvocationCredentials>());
        Assert.Same(provider.GetRequiredService<AcsRateLimiterRegistry>(), provider.GetRequiredService<AcsRateLimiterRegistry>());
        Assert.Same(first.ServiceProvider.GetRequiredService<IStsClient>(), first.ServiceProvider.GetRequiredService<IStsClient>());
        Assert.NotSame(first.ServiceProvider.GetRequiredService<IStsClient>(), second.ServiceProvider.GetRequiredService<IStsClient>());
        Assert.NotSame(
            first.ServiceProvider.GetRequiredService<IResourceManagerClient>(), second.ServiceProvider.GetRequiredService<IResourceManagerClient>());
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAlibabaCloud(configuration);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }
}
