using AckFc.AlibabaCloud.Signing;

namespace AckFc.AlibabaCloud.Tests.Signing;

public sealed class AcsV3SignerTests
{
    // The "fixed parameter values" example of Alibaba Cloud's V3 signature documentation.
    [Fact]
    public void Sign_OfficialExample_ReproducesEveryStepByteForByte()
    {
        var query = AcsV3Signer.CanonicalQuery(
        [
            new("RegionId", "cn-shanghai"),
            new("ImageId", "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"),
        ]);
        var headers = new Dictionary<string, string>
        {
            ["x-acs-version"] = "2014-05-26",
            ["host"] = "ecs.cn-shanghai.aliyuncs.com",
            ["x-acs-action"] = "RunInstances",
            ["x-acs-date"] = "2023-10-26T10:22:32Z",
            ["x-acs-signature-nonce"] = "3156853299f313e23d1673dc12e1703d",
            ["x-acs-content-sha256"] = AcsV3Signer.EmptyPayloadHash,
        };

        var signature = AcsV3Signer.Sign("POST", "/", query, headers, AcsV3Signer.EmptyPayloadHash, "YourAccessKeySecret");

        Assert.Equal(
            "POST\n/\nImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n" +
            "host:ecs.cn-shanghai.aliyuncs.com\n" +
            "x-acs-action:RunInstances\n" +
            "x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n" +
            "x-acs-date:2023-10-26T10:22:32Z\n" +
            "x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n" +
            "x-acs-version:2014-05-26\n" +
            "\n" +
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n" +
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            signature.CanonicalRequest);
        Assert.Equal(
            "ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259",
            signature.StringToSign);
        Assert.Equal("06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0", signature.Signature);
        Assert.Equal(
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
            signature.AuthorizationHeader("YourAccessKeyId"));
    }

    // A request the official Node SDK sent (reference Appendix A: KMS DescribeKey by alias with STS).
    [Fact]
    public void Sign_CapturedNodeSdkStsRequest_MatchesTheSdkSignature()
    {
        var headers = new Dictionary<string, string>
        {
            ["host"] = "127.0.0.1:38767",
            ["x-acs-version"] = "2016-01-20",
            ["x-acs-action"] = "DescribeKey",
            ["x-acs-date"] = "2026-11-28T16:51:49Z",
            ["x-acs-signature-nonce"] = "e9897edc918c62665933d2061c586a2153a7297c5bd0b00477598dbfef2cf727",
            ["x-acs-content-sha256"] = AcsV3Signer.EmptyPayloadHash,
            ["x-acs-credentials-provider"] = "static_sts",
            ["x-acs-accesskey-id"] = "testAccessKeyId",
            ["x-acs-security-token"] = "testSecurityToken+/=",
        };

        var signature = AcsV3Signer.Sign(
            "POST", "/", AcsV3Signer.CanonicalQueryFromRaw("KeyId=alias%2Fmy-key"), headers,
            AcsV3Signer.EmptyPayloadHash, "testAccessKeySecret");

        Assert.Equal("540d6b0d4c1d8e114daf6f441fc912a53931720c441e4acfe27d6dd8e9736df8", signature.Signature);
    }

    [Theory]
    [InlineData("abcXYZ019-_.~", "abcXYZ019-_.~")]
    [InlineData("a b", "a%20b")]
    [InlineData("*", "%2A")]
    [InlineData("/", "%2F")]
    [InlineData("+", "%2B")]
    [InlineData("密", "%E5%AF%86")]
    public void PercentEncode_ReservedCharacters_EncodedAsDocumented(string input, string expected) =>
        Assert.Equal(expected, AcsV3Signer.PercentEncode(input));

    [Fact]
    public void EncodePath_SegmentNeedingEncoding_MatchesWhatTheSdkSends() =>
        Assert.Equal("/clusters/c%201%2F2%2A~", AcsV3Signer.EncodePath("clusters", "c 1/2*~"));
}
