using AckFc.AlibabaCloud.Oss;

namespace AckFc.AlibabaCloud.Tests.Oss;

/// <summary>A presigned link is for a person: it names the public endpoint even when the function writes internally.</summary>
public sealed class OssPresignEndpointTests
{
    [Theory]
    [InlineData("https://oss-cn-hangzhou-internal.aliyuncs.com", "https://oss-cn-hangzhou.aliyuncs.com/")]
    [InlineData("https://OSS-ap-southeast-1-internal.aliyuncs.com", "https://oss-ap-southeast-1.aliyuncs.com/")]
    [InlineData("http://oss-cn-beijing-internal.aliyuncs.com:8080", "http://oss-cn-beijing.aliyuncs.com:8080/")]
    [InlineData("https://oss-cn-hangzhou.aliyuncs.com", "https://oss-cn-hangzhou.aliyuncs.com/")]
    [InlineData("http://127.0.0.1:18080", "http://127.0.0.1:18080/")]
    [InlineData("https://cn-hangzhou.oss.aliyuncs.com", "https://cn-hangzhou.oss.aliyuncs.com/")]
    [InlineData("https://my-internal.aliyuncs.com", "https://my-internal.aliyuncs.com/")]
    public void PublicEndpoint_InternalOssEndpoint_BecomesThePublicOne(string endpoint, string expected) =>
        Assert.Equal(expected, OssClient.PublicEndpoint(new Uri(endpoint)).AbsoluteUri);
}
