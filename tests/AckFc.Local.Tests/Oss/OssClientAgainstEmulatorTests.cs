using System.Net;
using System.Text;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Oss;
using AckFc.Local.Emulator;
using CsCheck;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace AckFc.Local.Tests.Oss;

/// <summary>Our OSS client against the emulated OSS over loopback: real HTTP, real V4 signatures on both sides.</summary>
public sealed class OssClientAgainstEmulatorTests : IAsyncLifetime
{
    private static readonly OssBucket Bucket = new(OssApi.DefaultBucket, "cn-hangzhou");

    private RunningEmulator emulator = null!;
    private ServiceProvider services = null!;
    private AsyncServiceScope scope;

    private IOssClient Oss => scope.ServiceProvider.GetRequiredService<IOssClient>();

    public async Task InitializeAsync()
    {
        emulator = await EmulatorHost.StartAsync(new EmulatorOptions());
        (services, scope) = Client(emulator.Credential.AccessKeySecret);
    }

    public async Task DisposeAsync()
    {
        await scope.DisposeAsync();
        await services.DisposeAsync();
        await emulator.DisposeAsync();
    }

    private (ServiceProvider, AsyncServiceScope) Client(string secret, string? endpoint = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ACKFC_OSS_ENDPOINT"] = endpoint ?? emulator.Endpoint,
            ["ALIBABA_CLOUD_ACCESS_KEY_ID"] = emulator.Credential.AccessKeyId,
            ["ALIBABA_CLOUD_ACCESS_KEY_SECRET"] = secret,
            ["ALIBABA_CLOUD_CREDENTIALS_FILE"] = Path.Combine(Path.GetTempPath(), "ackfc-no-such-dir", Guid.NewGuid().ToString("N")),
            ["ACKFC_CLOUD_RETRY_BASE_DELAY_SECONDS"] = "0",
            ["ACKFC_CLOUD_ATTEMPT_TIMEOUT_SECONDS"] = "5",
            ["ACKFC_CLOUD_MAX_ATTEMPTS"] = "6",
        }).Build();
        var provider = new ServiceCollection().AddLogging().AddAlibabaCloud(configuration).BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
        return (provider, provider.CreateAsyncScope());
    }

    private static async Task<string> ReadAsync(OssObject obj)
    {
        using var reader = new StreamReader(obj.Content, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Fact]
    public async Task PutGetHeadDelete_RoundTripWithETagAndMetadata()
    {
        var etag = await Oss.PutObjectAsync(Bucket, "sweeps/a.json", OssContent.FromBytes("{\"a\":1}"u8.ToArray()),
            new OssPutOptions { ContentType = "application/json", Metadata = new Dictionary<string, string> { ["sweep-id"] = "s-1" } });

        await using (var got = await Oss.GetObjectAsync(Bucket, "sweeps/a.json"))
        {
            Assert.NotNull(got);
            Assert.Equal("{\"a\":1}", await ReadAsync(got));
            Assert.Equal(etag, got.Info.ETag);
            Assert.Equal("application/json", got.Info.ContentType);
            Assert.Equal("s-1", got.Info.Metadata["sweep-id"]);
        }

        var head = await Oss.HeadObjectAsync(Bucket, "sweeps/a.json");
        Assert.Equal((etag, 7L), (head?.ETag, head?.Size));

        await Oss.DeleteObjectAsync(Bucket, "sweeps/a.json");
        Assert.Null(await Oss.HeadObjectAsync(Bucket, "sweeps/a.json"));
        Assert.Null(await Oss.GetObjectAsync(Bucket, "sweeps/a.json"));
        await Oss.DeleteObjectAsync(Bucket, "sweeps/a.json"); // 204 for a missing key: no exception
    }

    [Fact]
    public async Task ConditionalGet_IfNoneMatchIsNotModified_IfMatchMismatchIsPreconditionFailed()
    {
        var etag = await Oss.PutObjectAsync(Bucket, "c.txt", OssContent.FromBytes("one"u8.ToArray()));

        await using (var same = await Oss.GetObjectAsync(Bucket, "c.txt", new OssGetOptions { IfNoneMatch = etag }))
        {
            Assert.True(same!.NotModified);
        }

        await Oss.PutObjectAsync(Bucket, "c.txt", OssContent.FromBytes("two"u8.ToArray()));
        await using (var changed = await Oss.GetObjectAsync(Bucket, "c.txt", new OssGetOptions { IfNoneMatch = etag }))
        {
            Assert.False(changed!.NotModified);
            Assert.Equal("two", await ReadAsync(changed));
        }

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(() => Oss.GetObjectAsync(Bucket, "c.txt", new OssGetOptions { IfMatch = etag }));
        Assert.Equal(("PreconditionFailed", 412), (error.Code, error.StatusCode));
    }

    [Fact]
    public async Task ForbidOverwrite_SecondCreateIsFileAlreadyExistsConflict_AndTheFirstContentStays()
    {
        var create = new OssPutOptions { ForbidOverwrite = true };
        await Oss.PutObjectAsync(Bucket, "markers/x", OssContent.FromBytes("first"u8.ToArray()), create);

        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => Oss.PutObjectAsync(Bucket, "markers/x", OssContent.FromBytes("second"u8.ToArray()), create));

        Assert.Equal((AlibabaCloudErrorKind.Conflict, "FileAlreadyExists", 409), (error.Kind, error.Code, error.StatusCode));
        await using var got = await Oss.GetObjectAsync(Bucket, "markers/x");
        Assert.Equal("first", await ReadAsync(got!));
    }

    [Fact]
    public async Task StreamingPut_WriterRendersStraightIntoTheRequest()
    {
        var line = Encoding.UTF8.GetBytes(new string('x', 1023) + "\n");
        await Oss.PutObjectAsync(Bucket, "big.csv", OssContent.FromWriter(async (stream, ct) =>
        {
            for (var i = 0; i < 4096; i++)
            {
                await stream.WriteAsync(line, ct);
            }
        }), new OssPutOptions { ContentType = "text/csv" });

        var head = await Oss.HeadObjectAsync(Bucket, "big.csv");
        Assert.Equal(4L * 1024 * 1024, head?.Size);
    }

    [Fact]
    public async Task ServiceUnavailableDuringPut_IsRetriedAndResignedUntilItLands()
    {
        emulator.State.Faults.Set("PutObject", new FaultProfile { ServiceUnavailableRate = 0.6 });
        emulator.State.Faults.Reseed(7);

        for (var i = 0; i < 10; i++)
        {
            await Oss.PutObjectAsync(Bucket, $"retry/{i}", OssContent.FromWriter((s, ct) => s.WriteAsync(Encoding.UTF8.GetBytes($"body {i}"), ct).AsTask()));
        }

        emulator.State.Faults.Clear();
        var calls = emulator.State.GetCalls().Where(c => c.Product == "OSS" && c.Action == "PutObject").ToList();
        Assert.Contains(calls, c => c.Status == 503);
        Assert.Equal(10, calls.Count(c => c.Status == 200));
        foreach (var i in Enumerable.Range(0, 10))
        {
            await using var got = await Oss.GetObjectAsync(Bucket, $"retry/{i}");
            Assert.Equal($"body {i}", await ReadAsync(got!));
        }
    }

    [Fact]
    public async Task ListObjectsV2_PagesWithContinuationTokensAndPrefix_DecodesKeys()
    {
        var keys = Enumerable.Range(0, 25).Select(i => $"p/{i:D2} é+%&<x>.json").ToList();
        foreach (var key in keys.Append("q/other").Append("p0"))
        {
            await Oss.PutObjectAsync(Bucket, key, OssContent.FromBytes("1"u8.ToArray()));
        }

        var seen = new List<string>();
        string? token = null;
        var pages = 0;
        do
        {
            var page = await Oss.ListObjectsV2Async(Bucket, new OssListRequest { Prefix = "p/", MaxKeys = 10, ContinuationToken = token });
            seen.AddRange(page.Objects.Select(o => o.Key));
            token = page.NextContinuationToken;
            pages++;
            Assert.Equal(token is not null, page.IsTruncated);
        }
        while (token is not null && pages < 10);

        Assert.Equal(3, pages);
        Assert.Equal(keys.Order(StringComparer.Ordinal), seen);

        var folders = await Oss.ListObjectsV2Async(Bucket, new OssListRequest { Delimiter = "/" });
        Assert.Equal(["p/", "q/"], folders.CommonPrefixes);
        Assert.Equal(["p0"], folders.Objects.Select(o => o.Key));
    }

    [Fact]
    public async Task AnyKey_RoundTripsThroughPutListGetAndPresignedUrl()
    {
        var gen = Gen.Frequency(
                (4, Gen.OneOf<string>(" ", "+", "%", "/", "?", "#", "&", "=", "%2B", "é", "日本", "😀", "a", "b")),
                (2, Gen.Char['!', '~'].Select(c => c.ToString())))
            .Array[1, 12].Select(parts => "any/" + string.Concat(parts).TrimStart('/'));
        using var http = new HttpClient();
        await gen.SampleAsync(async key =>
        {
            if (key.Contains("//", StringComparison.Ordinal) || key.EndsWith('/'))
            {
                return; // OSS keys with empty segments are legal but not ones AckFc writes
            }

            var body = Encoding.UTF8.GetBytes(key);
            await Oss.PutObjectAsync(Bucket, key, OssContent.FromBytes(body));
            var listed = await Oss.ListObjectsV2Async(Bucket, new OssListRequest { Prefix = key, MaxKeys = 1 });
            Assert.Equal(key, Assert.Single(listed.Objects).Key);
            await using (var got = await Oss.GetObjectAsync(Bucket, key))
            {
                Assert.Equal(key, await ReadAsync(got!));
            }

            var url = Oss.PresignGetObject(Bucket, key, TimeSpan.FromMinutes(5));
            Assert.Equal(key, await http.GetStringAsync(url));
            await Oss.DeleteObjectAsync(Bucket, key);
        }, iter: 60);
    }

    [Fact]
    public async Task PresignedUrl_OpensWithPlainHttp_TamperedOrWrongSecretIsRefused()
    {
        await Oss.PutObjectAsync(Bucket, "sweeps/r.html", OssContent.FromBytes("<html>ok</html>"u8.ToArray()), new OssPutOptions { ContentType = "text/html" });
        using var http = new HttpClient();

        var url = Oss.PresignGetObject(Bucket, "sweeps/r.html", TimeSpan.FromDays(7));
        using var ok = await http.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("text/html", ok.Content.Headers.ContentType?.MediaType);
        Assert.Equal("<html>ok</html>", await ok.Content.ReadAsStringAsync());

        using var tampered = await http.GetAsync(url.ToString().Replace("x-oss-expires=604800", "x-oss-expires=604799", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Contains("<Code>SignatureDoesNotMatch</Code>", await tampered.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var (other, otherScope) = Client("not-the-secret");
        await using (other)
        await using (otherScope)
        {
            var forged = otherScope.ServiceProvider.GetRequiredService<IOssClient>().PresignGetObject(Bucket, "sweeps/r.html", TimeSpan.FromMinutes(1));
            using var refused = await http.GetAsync(forged);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => Oss.PresignGetObject(Bucket, "sweeps/r.html", TimeSpan.FromDays(8)));
    }

    [Fact]
    public async Task PresignedUrl_ClientWritingThroughTheInternalEndpoint_LinksThePublicOne()
    {
        var (provider, internalScope) = Client(emulator.Credential.AccessKeySecret, "https://oss-{region}-internal.aliyuncs.com");
        await using (provider)
        await using (internalScope)
        {
            var url = internalScope.ServiceProvider.GetRequiredService<IOssClient>().PresignGetObject(Bucket, "sweeps/r.html", TimeSpan.FromHours(1));

            Assert.Equal("ackfc-reports.oss-cn-hangzhou.aliyuncs.com", url.Host);
            Assert.Equal("/sweeps/r.html", url.AbsolutePath);
            Assert.Contains("x-oss-expires=3600&", url.Query, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task WrongSecret_IsSignatureDoesNotMatch_FromTheBodyAndForHeadFromXOssErr_WithoutTheSecret()
    {
        var (other, otherScope) = Client("wrong-secret-value-123");
        await using (other)
        await using (otherScope)
        {
            var client = otherScope.ServiceProvider.GetRequiredService<IOssClient>();
            var put = await Assert.ThrowsAsync<AlibabaCloudException>(() => client.PutObjectAsync(Bucket, "k", OssContent.FromBytes("x"u8.ToArray())));
            var head = await Assert.ThrowsAsync<AlibabaCloudException>(() => client.HeadObjectAsync(Bucket, "k"));

            foreach (var error in new[] { put, head })
            {
                Assert.Equal(("SignatureDoesNotMatch", 403, AlibabaCloudErrorKind.ClientError), (error.Code, error.StatusCode, error.Kind));
                Assert.NotNull(error.RequestId);
                Assert.DoesNotContain("wrong-secret-value-123", error.Message, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task MissingBucket_IsNoSuchBucket()
    {
        var error = await Assert.ThrowsAsync<AlibabaCloudException>(
            () => Oss.ListObjectsV2Async(new OssBucket("no-such-bucket", "cn-hangzhou"), new OssListRequest()));
        Assert.Equal(("NoSuchBucket", AlibabaCloudErrorKind.NotFound), (error.Code, error.Kind));
    }
}
