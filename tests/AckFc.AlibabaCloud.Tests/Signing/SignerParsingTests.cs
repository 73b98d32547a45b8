using AckFc.AlibabaCloud.Oss;
using AckFc.AlibabaCloud.Signing;

namespace AckFc.AlibabaCloud.Tests.Signing;

/// <summary>
/// The parsing and canonicalisation edges of both signers that the official vectors do not reach (mutation testing
/// found them unchecked): malformed Authorization headers, raw query strings, ordering by value, credential scopes,
/// presign lifetimes and percent-encoding of multi-byte characters.
/// </summary>
public sealed class SignerParsingTests
{
    [Theory]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host;x-acs-date,Signature=ab", "ak|host,x-acs-date|ab")]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak, SignedHeaders=host , Signature=ab", "ak|host|ab")]
    [InlineData("ACS3-HMAC-SHA256 Signature=ab,Credential=ak,SignedHeaders=", "ak||ab")]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("ACS3-HMAC-SHA256", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab", null)]
    [InlineData("acs3-hmac-sha256 Credential=ak,SignedHeaders=host,Signature=ab", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak,,SignedHeaders=host,Signature=ab", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak,=host,Signature=ab", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders,Signature=ab", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=ab,Extra=1", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=ab", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak,Signature=ab", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host,Signature=", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak,SignedHeaders=host", null)]
    [InlineData("ACS3-HMAC-SHA256 SignedHeaders=host,Signature=ab", null)]
    public void AcsV3_ParseAuthorization_Table(string? header, string? expected)
    {
        var parsed = AcsV3Signer.ParseAuthorization(header);

        Assert.Equal(expected, parsed is null ? null : $"{parsed.AccessKeyId}|{string.Join(',', parsed.SignedHeaders)}|{parsed.Signature}");
    }

    [Theory]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request,AdditionalHeaders=host;range,Signature=ab",
        "ak|20250417|cn-hangzhou|oss|host,range|ab")]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request, Signature=ab",
        "ak|20250417|cn-hangzhou|oss||ab")]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request,,Signature=ab",
        "ak|20250417|cn-hangzhou|oss||ab")]
    [InlineData(null, null)]
    [InlineData("OSS4-HMAC-SHA256", null)]
    [InlineData("ACS3-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request,Signature=ab", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request,Signature=", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request", null)]
    [InlineData("OSS4-HMAC-SHA256 Signature=ab", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request,Signature=ab,Other=x", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request,Signature", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4_request,=ab", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=/20250417/cn-hangzhou/oss/aliyun_v4_request,Signature=ab", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/2025041/cn-hangzhou/oss/aliyun_v4_request,Signature=ab", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417//oss/aliyun_v4_request,Signature=ab", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/20250417/cn-hangzhou/oss/aliyun_v4,Signature=ab", null)]
    [InlineData("OSS4-HMAC-SHA256 Credential=ak/x/20250417/cn-hangzhou/oss/aliyun_v4_request,Signature=ab", null)]
    public void OssV4_ParseAuthorization_Table(string? header, string? expected)
    {
        var parsed = OssV4Signer.ParseAuthorization(header);

        Assert.Equal(expected, parsed is null ? null
            : $"{parsed.AccessKeyId}|{parsed.Date}|{parsed.Region}|{parsed.Product}|{string.Join(',', parsed.AdditionalHeaders)}|{parsed.Signature}");
    }

    [Theory]
    [InlineData("?b=2&a=1", "a=1&b=2")]
    [InlineData("b=2&a=1", "a=1&b=2")]
    [InlineData("a=2&a=1", "a=1&a=2")]
    [InlineData("flag&a=x%20y", "a=x%20y&flag=")]
    [InlineData("a=1=2", "a=1%3D2")]
    [InlineData("&&a=1&", "a=1")]
    [InlineData("n%C3%A4me=v%2Bw+z", "n%C3%A4me=v%2Bw%2Bz")]
    [InlineData("", "")]
    public void AcsV3_CanonicalQueryFromRaw_Table(string raw, string expected) =>
        Assert.Equal(expected, AcsV3Signer.CanonicalQueryFromRaw(raw));

    [Theory]
    [InlineData("?b=2&a=1", "a=1&b=2")]
    [InlineData("a=2&a=1", "a=1&a=2")]
    [InlineData("uploads&a=x+y", "a=x%20y&uploads")]
    [InlineData("k=1=2", "k=1%3D2")]
    [InlineData("k=", "k")]
    public void OssV4_CanonicalQueryOfRaw_Table(string raw, string expected) =>
        Assert.Equal(expected, OssV4Signer.CanonicalQuery(OssV4Signer.ParseRawQuery(raw)));

    [Theory]
    [InlineData("abc-_.~XYZ019", "abc-_.~XYZ019")]
    [InlineData("a b", "a%20b")]
    [InlineData("a/b", "a%2Fb")]
    [InlineData("ä", "%C3%A4")]
    [InlineData("\u007f", "%7F")]
    [InlineData("€", "%E2%82%AC")]
    [InlineData("😀x", "%F0%9F%98%80x")]
    [InlineData("*", "%2A")]
    public void AcsV3_PercentEncode_Table(string value, string expected) =>
        Assert.Equal(expected, AcsV3Signer.PercentEncode(value));

    [Theory]
    [InlineData(null, null, "/")]
    [InlineData("bucket", null, "/bucket/")]
    [InlineData("bucket", "a b/c.json", "/bucket/a%20b/c.json")]
    [InlineData("", "k", "/k")]
    public void OssV4_CanonicalUri_Table(string? bucket, string? key, string expected) =>
        Assert.Equal(expected, OssV4Signer.CanonicalUri(bucket, key));

    [Fact]
    public void AcsV3_EncodePath_NoSegmentsIsRoot() => Assert.Equal("/", AcsV3Signer.EncodePath());

    [Theory]
    [InlineData(0.5, false)]
    [InlineData(1, true)]
    [InlineData(604_800, true)]
    [InlineData(604_801, false)]
    public void OssV4_Presign_LifetimeBetweenOneSecondAndSevenDays(double seconds, bool accepted)
    {
        object? Presign() => OssV4Signer.Presign("GET", "bucket", "key", [], [], null, "cn-hangzhou", "ak", "secret", null,
            DateTimeOffset.Parse("2025-04-17T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture), TimeSpan.FromSeconds(seconds));

        if (accepted)
        {
            Assert.NotNull(Presign());
        }
        else
        {
            Assert.Throws<ArgumentOutOfRangeException>(Presign);
        }
    }

    [Fact]
    public void OssV4_SignHeaders_WithoutDate_Refused() =>
        Assert.Throws<ArgumentException>(() => OssV4Signer.SignHeaders("GET", "bucket", "key", [], [new("content-type", "x")], null, "cn-hangzhou", "secret"));
}
