using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using AckFc.Local;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions.Tests.EndToEnd;

/// <summary>
/// The published binary in a root that holds nothing but the binary, the libraries <c>ldd</c> resolves for it (libc)
/// and three device nodes: what is left when no Alibaba page says what <c>custom.debian12</c> contains. It must serve
/// <c>/healthz</c> and make a TLS call, trusting a loopback HTTPS server through <c>SSL_CERT_FILE</c> only. Runs as
/// root (chroot); the publish is shared with <see cref="PublishedBinaryTests"/>.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class MinimalRootTests(PublishedBinaryFixture fixture) : IClassFixture<PublishedBinaryFixture>, IAsyncLifetime
{
    private readonly ConcurrentQueue<string> actions = new();
    private string root = null!;
    private WebApplication cloud = null!;
    private Uri cloudAddress = null!;

    public async Task InitializeAsync()
    {
        Assert.True(Environment.UserName == "root" || Environment.GetEnvironmentVariable("USER") == "root",
            "This test builds a chroot and must run as root (CI runs as root; locally: sudo dotnet test --filter MinimalRootTests).");
        root = Path.Combine(Path.GetTempPath(), "ackfc-minroot-" + Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(Path.Combine(root, "code"));
        Directory.CreateDirectory(Path.Combine(root, "tmp"));
        Directory.CreateDirectory(Path.Combine(root, "dev"));
        File.Copy(fixture.Binary, Path.Combine(root, "code", "AckFc.Functions"));
        File.SetUnixFileMode(Path.Combine(root, "code", "AckFc.Functions"), (UnixFileMode)0b111_101_101);
        foreach (var library in await LinkedLibrariesAsync(fixture.Binary))
        {
            var target = root + library;
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(library, target, overwrite: true);
        }

        foreach (var (name, minor) in new[] { ("null", 3), ("urandom", 9), ("random", 8) })
        {
            await RunAsync("mknod", [Path.Combine(root, "dev", name), "c", "1", minor.ToString(CultureInfo.InvariantCulture)]);
            File.SetUnixFileMode(Path.Combine(root, "dev", name), (UnixFileMode)0b110_110_110);
        }

        using var ca = SelfSignedLocalhost();
        await File.WriteAllTextAsync(Path.Combine(root, "code", "test-ca.pem"), ca.ExportCertificatePem());
        cloud = await StartCloudAsync(X509CertificateLoader.LoadPkcs12(ca.Export(X509ContentType.Pfx), null));
    }

    public async Task DisposeAsync()
    {
        if (cloud is not null)
        {
            await cloud.DisposeAsync();
        }

        if (root is not null && Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task PublishedBinary_LinksNoOpenSsl_AndShipsNoSymbols()
    {
        var libraries = await LinkedLibrariesAsync(fixture.Binary);
        var folder = Path.GetDirectoryName(fixture.Binary)!;

        Assert.DoesNotContain(libraries, l => l.Contains("libssl", StringComparison.Ordinal) || l.Contains("libcrypto", StringComparison.Ordinal));
        Assert.Empty(Directory.GetFiles(folder, "*.dbg"));
        Assert.Empty(Directory.GetFiles(folder, "*.pdb"));
        Assert.True(File.Exists(Path.Combine(folder, "ca-certificates.crt")), "the code package must carry its CA bundle (ca-certificates.crt)");
    }

    [Fact]
    public async Task InALibcOnlyRoot_ServesHealthz_AndCallsTheCloudOverTls()
    {
        var (process, port, output) = Start("/code/test-ca.pem");
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
            await WaitForHealthAsync(client, process, output);

            using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
            {
                Content = new StringContent("""{"triggerTime":"2026-11-28T03:00:00Z","triggerName":"daily","payload":"{\"mode\":\"report\"}"}"""),
            };
            invoke.Headers.Add("x-fc-control-path", "/invoke");
            invoke.Headers.Add("x-fc-request-id", "minroot-1");
            using var response = await client.SendAsync(invoke);
            var body = await response.Content.ReadAsStringAsync();

            Assert.True(actions.Contains("DescribeClustersV1"), $"no TLS call reached the loopback HTTPS server ({response.StatusCode}): {body}{Environment.NewLine}{output}");
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}{Environment.NewLine}{output}");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    [Fact]
    public async Task InALibcOnlyRoot_AnUntrustedServer_IsRefused()
    {
        // The same server, but the bundle does not hold its certificate: the trust above came from SSL_CERT_FILE.
        using var other = SelfSignedLocalhost();
        await File.WriteAllTextAsync(Path.Combine(root, "code", "other-ca.pem"), other.ExportCertificatePem());
        var (process, port, output) = Start("/code/other-ca.pem");
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(120) };
            await WaitForHealthAsync(client, process, output);
            using var invoke = new HttpRequestMessage(HttpMethod.Post, "/invoke")
            {
                Content = new StringContent("""{"triggerTime":"2026-11-28T03:00:00Z","triggerName":"daily","payload":"{\"mode\":\"report\"}"}"""),
            };
            invoke.Headers.Add("x-fc-control-path", "/invoke");
            using var response = await client.SendAsync(invoke);

            Assert.Empty(actions);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    private (Process Process, int Port, StringBuilder Output) Start(string caFile)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var start = new ProcessStartInfo("chroot", [root, "/code/AckFc.Functions"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment.Clear();
        new LocalHostEnvironment
        {
            Regions = ["cn-hangzhou"],
            CloudEndpoint = cloudAddress.GetLeftPart(UriPartial.Authority),
            AccessKeyId = "minroot-access-key",
            AccessKeySecret = "minroot-access-key-secret",
            ReportDirectory = "/tmp/reports",
            Function = "all",
            ListenPort = port,
        }.ApplyTo(start.Environment);
        start.Environment["SSL_CERT_FILE"] = caFile;
        // As s.yaml sets it: without HOME, .NET's chain building looks the user up in /etc/passwd, which this root lacks.
        start.Environment["HOME"] = "/tmp";
        var output = new StringBuilder();
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return (process, port, output);
    }

    private static async Task WaitForHealthAsync(HttpClient client, Process process, StringBuilder output)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, $"the binary exited ({(process.HasExited ? process.ExitCode : 0)}) in the minimal root:{Environment.NewLine}{output}");
            try
            {
                using var ok = await client.GetAsync("/healthz");
                if (ok.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        Assert.Fail($"/healthz did not answer within 60 s in the minimal root:{Environment.NewLine}{output}");
    }

    private async Task<WebApplication> StartCloudAsync(X509Certificate2 certificate)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            var action = context.Request.Headers["x-acs-action"].ToString();
            actions.Enqueue(action);
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(action switch
            {
                "DescribeClustersV1" => """{"clusters":[],"page_info":{"page_number":1,"page_size":100,"total_count":0}}""",
                "ListKeys" => """{"RequestId":"r","PageNumber":1,"PageSize":100,"TotalCount":0,"Keys":{"Key":[]}}""",
                "ListAliases" => """{"RequestId":"r","PageNumber":1,"PageSize":100,"TotalCount":0,"Aliases":{"Alias":[]}}""",
                _ => """{"RequestId":"r"}""",
            });
        });
        await app.StartAsync();
        var address = app.Urls.First();
        cloudAddress = new Uri(address); // an IP: the minimal root has no /etc/hosts (the certificate names 127.0.0.1)
        return app;
    }

    private static X509Certificate2 SelfSignedLocalhost()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=localhost", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }

    /// <summary>The absolute paths <c>ldd</c> resolves for the binary (libc and its loader, and whatever else it links).</summary>
    private static async Task<List<string>> LinkedLibrariesAsync(string binary)
    {
        var text = await RunAsync("ldd", [binary]);
        return [.. text.Split('\n')
            .Select(line => line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(p => p.StartsWith('/')))
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)];
    }

    private static async Task<string> RunAsync(string command, string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(command, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', args)} failed: {await errors}");
        return await output;
    }
}
