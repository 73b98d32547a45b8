using System.Net.Http.Headers;
using System.Text;
using AckFc.AlibabaCloud.Oss;

namespace AckFc.AlibabaCloud.Tests.Oss;

/// <summary>OSS error answers are classified by OSS's own codes, so its flow control reads as throttling.</summary>
public sealed class OssErrorsTests
{
    private static AlibabaCloudException FromXml(int status, string code)
    {
        using var message = new HttpResponseMessage();
        var body = Encoding.UTF8.GetBytes(
            $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>m</Message><RequestId>R-1</RequestId></Error>");
        return OssErrors.FromResponse("PutObject", status, message.Headers, new MediaTypeHeaderValue("application/xml"), body);
    }

    [Theory]
    [InlineData(429, "QpsLimitExceeded", AlibabaCloudErrorKind.Throttling)]
    [InlineData(503, "TotalQpsLimitExceeded", AlibabaCloudErrorKind.Throttling)]
    [InlineData(503, "ActiveRequestLimitExceeded", AlibabaCloudErrorKind.Throttling)]
    [InlineData(503, "MetaOperationQpsLimitExceeded", AlibabaCloudErrorKind.Throttling)]
    [InlineData(503, "UploadTrafficRateLimitExceeded", AlibabaCloudErrorKind.Throttling)]
    [InlineData(503, "SlowDown", AlibabaCloudErrorKind.Throttling)]
    [InlineData(503, "ServiceUnavailable", AlibabaCloudErrorKind.Transient)]
    [InlineData(500, "InternalError", AlibabaCloudErrorKind.Transient)]
    [InlineData(409, "FileAlreadyExists", AlibabaCloudErrorKind.Conflict)]
    [InlineData(403, "AccessDenied", AlibabaCloudErrorKind.ClientError)]
    [InlineData(404, "NoSuchKey", AlibabaCloudErrorKind.NotFound)]
    public void FromResponse_OssCodes_Classified(int status, string code, AlibabaCloudErrorKind kind)
    {
        var error = FromXml(status, code);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.Code);
        Assert.Equal("R-1", error.RequestId);
    }
}
