using System.Text;
using AckFc.Core.Signatures;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Functions.Tests.Webhook;

/// <summary>
/// The webhook's string to sign pinned by literal vectors. The expected v1 values were computed once outside .NET
/// (openssl: printf '%s' "$stringToSign" | openssl dgst -sha256 -hmac "$secret") and written here; the first is the
/// worked example in the README. A reordered or re-encoded string to sign fails these, whichever side changed.
/// </summary>
public sealed class WebhookContractVectorTests
{
    public const string KeyId = "ops";
    public const string Secret = "ackfc-worked-example-secret-0123456789";
    public const long T = 1795834800; // 2026-11-28T03:00:00Z

    public static TheoryData<string, string, string, string, string> Vectors() => new()
    {
        {
            "PUT", "/clusters/c-demo-hz-analytics/kms", """{"kms_key_id":"key-demo-hz-spare","dry_run":true}""",
            "1795834800.PUT./clusters/c-demo-hz-analytics/kms.e29e6c751cc134405162e337f18abe699fb6e0bc57e61af2ab344abe5d035dec",
            "4611c990c4294ff1d0e52e389b60d3e6e000ed171ac724a5e6a9baad01a48d6c"
        },
        {
            // A query kept exactly as sent, and an empty body (the SHA-256 of zero bytes).
            "GET", "/clusters/c-demo-hz-orders/kms?view=full&x=1", "",
            "1795834800.GET./clusters/c-demo-hz-orders/kms?view=full&x=1.e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "5bf85ff41e29e6de203090dfb07a2df71116b46acef1de545005cdf28743f025"
        },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void ContractSigner_LiteralVector_Matches(string method, string path, string body, string stringToSign, string v1)
    {
        Assert.Equal(stringToSign, ContractSigner.StringToSign(T, method, path, Encoding.UTF8.GetBytes(body)));
        Assert.Equal(v1, ContractSigner.V1(Secret, T, method, path, Encoding.UTF8.GetBytes(body)));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public async Task Verify_LiteralVector_AcceptedByTheServer(string method, string path, string body, string stringToSign, string v1)
    {
        _ = stringToSign;
        var auth = new WebhookAuthenticator(
            WebhookSettings.Options(new() { ["ACKFC_WEBHOOK_SECRETS"] = $"{KeyId}:{Secret}" }),
            new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(T + 42)));

        var check = await auth.VerifyAsync($"t={T},kid={KeyId},v1={v1}", method, path, Encoding.UTF8.GetBytes(body));

        Assert.Null(check.Problem);
        Assert.Equal(KeyId, check.KeyId);
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Create_LiteralVector_TheServersSignerAgrees(string method, string path, string body, string stringToSign, string v1)
    {
        _ = stringToSign;
        Assert.Equal($"t={T},kid={KeyId},v1={v1}", AckFcSignature.Create(KeyId, Secret, T, method, path, Encoding.UTF8.GetBytes(body)));
    }

    [Fact]
    public void Readme_WorkedExample_IsTheFirstVector()
    {
        var readme = File.ReadAllText(Path.Combine(RepoRoot(), "README.md"));

        Assert.Contains(Secret, readme, StringComparison.Ordinal);
        Assert.Contains("1795834800.PUT./clusters/c-demo-hz-analytics/kms.e29e6c751cc134405162e337f18abe699fb6e0bc57e61af2ab344abe5d035dec", readme, StringComparison.Ordinal);
        Assert.Contains("t=1795834800,kid=ops,v1=4611c990c4294ff1d0e52e389b60d3e6e000ed171ac724a5e6a9baad01a48d6c", readme, StringComparison.Ordinal);
    }

    private static string RepoRoot() => Deployment.SYamlDocument.RepoRoot;
}
