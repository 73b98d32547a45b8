using AckFc.AlibabaCloud.Oss;

namespace AckFc.AlibabaCloud.Tests.Oss;

/// <summary>
/// The six official V4 vectors of the Alibaba Cloud OSS Go and Python v2 SDKs (signer_test.go / test_v4.py): canonical
/// request, string to sign, signing key and signature byte for byte, plus the presigned report link AckFc sends.
/// </summary>
public sealed class OssV4SignerVectorTests
{
    private const string Bucket = "bucket";
    private const string Key = "1234+-/123/1.txt";
    private const string Region = "cn-hangzhou";

    // Go's url.Values.Encode of: param1=value1 +param1=value3 |param1=value4 +param2="" |param2="" param2=""
    private static readonly KeyValuePair<string, string?>[] Query =
    [
        new("param1", "value1"), new("+param1", "value3"), new("|param1", "value4"),
        new("+param2", ""), new("|param2", ""), new("param2", ""),
    ];

    private const string CanonicalQueryPrefix = "%2Bparam1=value3&%2Bparam2&%7Cparam1=value4&%7Cparam2&param1=value1&param2";

    private static List<KeyValuePair<string, string>> HeaderCaseHeaders(long unix, string? token = null)
    {
        var time = DateTimeOffset.FromUnixTimeSeconds(unix);
        var headers = new List<KeyValuePair<string, string>>
        {
            new("x-oss-head1", "value"), new("abc", "value"), new("ZAbc", "value"), new("XYZ", "value"),
            new("content-type", "text/plain"), new("x-oss-content-sha256", "UNSIGNED-PAYLOAD"),
            new("x-oss-date", OssV4Signer.FormatTimestamp(time)), new("Date", time.ToString("R")),
        };
        if (token is not null)
        {
            headers.Add(new("x-oss-security-token", token));
        }

        return headers;
    }

    private static readonly KeyValuePair<string, string>[] QueryCaseHeaders =
    [
        new("x-oss-head1", "value"), new("abc", "value"), new("ZAbc", "value"), new("XYZ", "value"),
        new("content-type", "application/octet-stream"),
    ];

    [Fact]
    public void TestV4AuthHeader()
    {
        var signature = OssV4Signer.SignHeaders("PUT", Bucket, Key, Query, HeaderCaseHeaders(1702743657), null, Region, "sk");

        Assert.Equal(
            "PUT\n/bucket/1234%2B-/123/1.txt\n" + CanonicalQueryPrefix + "\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T162057Z\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD",
            signature.CanonicalRequest);
        Assert.Equal(
            "OSS4-HMAC-SHA256\n20231216T162057Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\nf4613657f1b108998e8dbd10a1aa5da621dc2c6e02c9ddec0f163664848704c4",
            signature.StringToSign);
        Assert.Equal("b412a03b134ebddd720f5167b5de6db66620ebb3b01cff4d49e3ccb09f8de97f", signature.SigningKey);
        Assert.Equal("e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe", signature.Signature);
        Assert.Equal(
            "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,Signature=e21d18daa82167720f9b1047ae7e7f1ce7cb77a31e8203a7d5f4624fa0284afe",
            signature.AuthorizationHeader("ak"));
    }

    [Fact]
    public void TestV4AuthHeaderToken()
    {
        var signature = OssV4Signer.SignHeaders("PUT", Bucket, Key, Query, HeaderCaseHeaders(1702784856, "token"), null, Region, "sk");

        Assert.Equal(
            "PUT\n/bucket/1234%2B-/123/1.txt\n" + CanonicalQueryPrefix + "\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231217T034736Z\nx-oss-head1:value\nx-oss-security-token:token\n\n\nUNSIGNED-PAYLOAD",
            signature.CanonicalRequest);
        Assert.Equal(
            "OSS4-HMAC-SHA256\n20231217T034736Z\n20231217/cn-hangzhou/oss/aliyun_v4_request\n69494678fb11579d4ee12996e2796d9e2ba43c34aa4c723c4aec018f3d6b86b8",
            signature.StringToSign);
        Assert.Equal("0e11d77e422d3484e84ee6b628fdf2a85f3788e1a597f23116b477efb407e94e", signature.SigningKey);
        Assert.Equal(
            "OSS4-HMAC-SHA256 Credential=ak/20231217/cn-hangzhou/oss/aliyun_v4_request,Signature=b94a3f999cf85bcdc00d332fbd3734ba03e48382c36fa4d5af5df817395bd9ea",
            signature.AuthorizationHeader("ak"));
    }

    [Theory]
    [InlineData("ZAbc,abc")]
    [InlineData("x-oss-no-exist,ZAbc,x-oss-head1,abc")]
    public void TestV4AuthHeaderWithAdditionalHeaders(string list)
    {
        var additional = list.Split(',');
        var signature = OssV4Signer.SignHeaders("PUT", Bucket, Key, Query, HeaderCaseHeaders(1702747512), additional, Region, "sk");

        Assert.Equal(
            "PUT\n/bucket/1234%2B-/123/1.txt\n" + CanonicalQueryPrefix + "\nabc:value\ncontent-type:text/plain\nx-oss-content-sha256:UNSIGNED-PAYLOAD\nx-oss-date:20231216T172512Z\nx-oss-head1:value\nzabc:value\n\nabc;zabc\nUNSIGNED-PAYLOAD",
            signature.CanonicalRequest);
        Assert.Equal(
            "OSS4-HMAC-SHA256\n20231216T172512Z\n20231216/cn-hangzhou/oss/aliyun_v4_request\n16b86004ed2cc3406dd7a13081bd940ef6a5ad49e508da2d4fdf84e8a5dd2145",
            signature.StringToSign);
        Assert.Equal("b412a03b134ebddd720f5167b5de6db66620ebb3b01cff4d49e3ccb09f8de97f", signature.SigningKey);
        Assert.Equal(
            "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=abc;zabc,Signature=4a4183c187c07c8947db7620deb0a6b38d9fbdd34187b6dbaccb316fa251212f",
            signature.AuthorizationHeader("ak"));
    }

    [Fact]
    public void TestV4AuthQuery()
    {
        var (query, signature) = Presign(1702781677, 1702782276, token: null, additional: null);

        Assert.Equal(
            "PUT\n/bucket/1234%2B-/123/1.txt\n" + CanonicalQueryPrefix + "&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T025437Z&x-oss-expires=599&x-oss-signature-version=OSS4-HMAC-SHA256\ncontent-type:application/octet-stream\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD",
            signature.CanonicalRequest);
        Assert.Equal(
            "OSS4-HMAC-SHA256\n20231217T025437Z\n20231217/cn-hangzhou/oss/aliyun_v4_request\n48814c11f278d51662015bf2f896b66ca10b6de0187ed8d952e341bbce0aa336",
            signature.StringToSign);
        Assert.Equal(OssV4Signer.Algorithm, query["x-oss-signature-version"]);
        Assert.Equal("599", query["x-oss-expires"]);
        Assert.Equal("ak/20231217/cn-hangzhou/oss/aliyun_v4_request", query["x-oss-credential"]);
        Assert.Equal("a39966c61718be0d5b14e668088b3fa07601033f6518ac7b523100014269c0fe", query["x-oss-signature"]);
        Assert.False(query.ContainsKey("x-oss-additional-headers"));
    }

    [Fact]
    public void TestV4AuthQueryToken()
    {
        var (query, signature) = Presign(1702785388, 1702785987, token: "token", additional: null);

        Assert.Equal(
            "PUT\n/bucket/1234%2B-/123/1.txt\n" + CanonicalQueryPrefix + "&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T035628Z&x-oss-expires=599&x-oss-security-token=token&x-oss-signature-version=OSS4-HMAC-SHA256\ncontent-type:application/octet-stream\nx-oss-head1:value\n\n\nUNSIGNED-PAYLOAD",
            signature.CanonicalRequest);
        Assert.Equal(
            "OSS4-HMAC-SHA256\n20231217T035628Z\n20231217/cn-hangzhou/oss/aliyun_v4_request\n458705026c021c95dd317d008cff79df19ce99bf2b241d1ecb20f4d65bb851a5",
            signature.StringToSign);
        Assert.Equal("20231217T035628Z", query["x-oss-date"]);
        Assert.Equal("599", query["x-oss-expires"]);
        Assert.Equal("ak/20231217/cn-hangzhou/oss/aliyun_v4_request", query["x-oss-credential"]);
        Assert.Equal("3817ac9d206cd6dfc90f1c09c00be45005602e55898f26f5ddb06d7892e1f8b5", query["x-oss-signature"]);
    }

    [Fact]
    public void TestV4AuthQueryWithAdditionalHeaders()
    {
        var (query, signature) = Presign(1702783809, 1702784408, token: null, additional: ["ZAbc", "abc"]);

        Assert.Equal(
            "PUT\n/bucket/1234%2B-/123/1.txt\n" + CanonicalQueryPrefix + "&x-oss-additional-headers=abc%3Bzabc&x-oss-credential=ak%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T033009Z&x-oss-expires=599&x-oss-signature-version=OSS4-HMAC-SHA256\nabc:value\ncontent-type:application/octet-stream\nx-oss-head1:value\nzabc:value\n\nabc;zabc\nUNSIGNED-PAYLOAD",
            signature.CanonicalRequest);
        Assert.Equal(
            "OSS4-HMAC-SHA256\n20231217T033009Z\n20231217/cn-hangzhou/oss/aliyun_v4_request\ne06541af14a8dc30dd12d3b75557af47f405e37784a76eae1a844c3426777df9",
            signature.StringToSign);
        Assert.Equal("20231217T033009Z", query["x-oss-date"]);
        Assert.Equal("abc;zabc", query["x-oss-additional-headers"]);
        Assert.Equal("6bd984bfe531afb6db1f7550983a741b103a8c58e5e14f83ea474c2322dfa2b7", query["x-oss-signature"]);
    }

    [Theory]
    [InlineData(604800, null, "&x-oss-expires=604800&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=423a000608b6798267a5c9c502b9c316f802b3c694cff978310f6299c783d1ae")]
    [InlineData(3600, "testSecurityToken", "&x-oss-expires=3600&x-oss-security-token=testSecurityToken&x-oss-signature-version=OSS4-HMAC-SHA256&x-oss-signature=a34e3c5e180176eeeaedc61188370d2c18077f63c3e83ba91902f64ebad3a9a1")]
    public void PresignedReportLink_MatchesAliOss(int seconds, string? token, string tail)
    {
        var (query, _) = OssV4Signer.Presign(
            "GET", "ackfc-reports", "reports/2023/12/17/sweep-1.html", [], [], null, Region,
            "testAccessKeyId", "testAccessKeySecret", token, DateTimeOffset.FromUnixTimeSeconds(1702781677), TimeSpan.FromSeconds(seconds));

        Assert.EndsWith(tail, OssV4Signer.EncodeQuery(query), StringComparison.Ordinal);
        Assert.StartsWith(
            "x-oss-credential=testAccessKeyId%2F20231217%2Fcn-hangzhou%2Foss%2Faliyun_v4_request&x-oss-date=20231217T025437Z",
            OssV4Signer.EncodeQuery(query), StringComparison.Ordinal);
    }

    [Fact]
    public void ParseAuthorization_ReadsSdkAndDocumentationSpacing()
    {
        var parsed = OssV4Signer.ParseAuthorization(
            "OSS4-HMAC-SHA256 Credential=ak/20231216/cn-hangzhou/oss/aliyun_v4_request, AdditionalHeaders=abc;zabc, Signature=4a41");

        Assert.NotNull(parsed);
        Assert.Equal(("ak", "20231216", "cn-hangzhou", "oss"), (parsed.AccessKeyId, parsed.Date, parsed.Region, parsed.Product));
        Assert.Equal(["abc", "zabc"], parsed.AdditionalHeaders);
        Assert.Equal("4a41", parsed.Signature);
        Assert.Null(OssV4Signer.ParseAuthorization("OSS ak:abc="));
    }

    private static (Dictionary<string, string?> Query, OssV4Signature Signature) Presign(long signTime, long expiry, string? token, string[]? additional)
    {
        var (query, signature) = OssV4Signer.Presign(
            "PUT", Bucket, Key, Query, QueryCaseHeaders, additional, Region, "ak", "sk", token,
            DateTimeOffset.FromUnixTimeSeconds(signTime), TimeSpan.FromSeconds(expiry - signTime));
        return (query.Where(p => p.Key.StartsWith("x-oss-", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value), signature);
    }
}
