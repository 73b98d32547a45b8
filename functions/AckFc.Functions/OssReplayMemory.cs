using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Credentials;
using AckFc.AlibabaCloud.Oss;
using AckFc.Core.Reporting;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions;

/// <summary>
/// The replay memory shared by every instance when the report store is OSS (<c>ACKFC_REPORT_STORE=oss://…</c>): after
/// the per-instance memory passed a signature, a create-only PUT (<c>x-oss-forbid-overwrite: true</c>) of
/// <c>{prefix}replay/{keyId}/{sha256 hex of v1}</c> claims it in the report bucket. OSS creates an object once, so of
/// two instances given the same signature exactly one claim succeeds; the other gets 409 <c>FileAlreadyExists</c>, a
/// replay. Scoped: it signs with the invocation's credentials, like the report store.
/// </summary>
/// <remarks>
/// Failure rule: a claim OSS did not confirm (an error, a timeout, no credentials) is <see cref="ReplayVerdict.Unavailable"/>
/// (503, nothing done) with one Warning line naming the store, and the per-instance memory forgets the signature so
/// the same request may be sent again. A claim the client's own retry made twice (the first attempt landed, its answer
/// was lost) is told from a replay by the claim's random <c>x-oss-meta-claim</c>.
/// </remarks>
internal sealed partial class OssReplayMemory(
    InMemoryReplayMemory local,
    IOssClient oss,
    ReportStoreOptions store,
    ILogger<OssReplayMemory> logger,
    TimeSpan? claimTimeout = null) : IReplayMemory
{
    /// <summary>The folder of the claims under the store's prefix.</summary>
    public const string Folder = "replay/";

    /// <summary>How long a claim may take with its retries: the webhook's budget is for the change.</summary>
    public static readonly TimeSpan DefaultClaimTimeout = TimeSpan.FromSeconds(5);

    private const string ClaimMetadata = "claim";

    private readonly TimeSpan claimTimeout = claimTimeout ?? DefaultClaimTimeout;

    /// <summary>Where the claims live, for log lines: <c>oss://{bucket}/{prefix}replay/</c>.</summary>
    public static string Describe(ReportStoreOptions store)
    {
        ArgumentNullException.ThrowIfNull(store);
        return $"oss://{store.Bucket}/{store.Prefix}{Folder}";
    }

    /// <summary>The claim's key: the signature is hashed, so the key has a fixed length and shape.</summary>
    public static string KeyOf(string prefix, string keyId, string signature) =>
        prefix + Folder + keyId + "/" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(signature)));

    public async ValueTask<ReplayVerdict> RememberAsync(string keyId, string signature, long signedAt, CancellationToken cancellationToken = default)
    {
        var first = local.Remember(keyId, signature, signedAt);
        if (first != ReplayVerdict.New)
        {
            return first;
        }

        var bucket = new OssBucket(store.Bucket!, store.Region!);
        var key = KeyOf(store.Prefix, keyId, signature);
        var nonce = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(claimTimeout);
        string reason;
        try
        {
            try
            {
                await oss.PutObjectAsync(
                    bucket,
                    key,
                    OssContent.FromBytes(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"t={signedAt}\n"))),
                    new OssPutOptions
                    {
                        ContentType = "text/plain",
                        ForbidOverwrite = true,
                        Metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [ClaimMetadata] = nonce },
                    },
                    budget.Token);
                return ReplayVerdict.New;
            }
            catch (AlibabaCloudException e) when (e.Code == "FileAlreadyExists")
            {
                // Ours only if the object carries this claim's nonce: the client retried a put whose first attempt landed.
                var existing = await oss.HeadObjectAsync(bucket, key, cancellationToken: budget.Token);
                return existing is not null && existing.Metadata.TryGetValue(ClaimMetadata, out var claim) && claim == nonce
                    ? ReplayVerdict.New
                    : ReplayVerdict.Replay;
            }
        }
        catch (AlibabaCloudException e)
        {
            reason = e.StatusCode is { } status
                ? string.Create(CultureInfo.InvariantCulture, $"HTTP {status} {e.Code}, request id {e.RequestId ?? "none"}")
                : e.Code;
        }
        catch (OperationCanceledException)
        {
            reason = cancellationToken.IsCancellationRequested
                ? "the invocation ended first"
                : string.Create(CultureInfo.InvariantCulture, $"no answer within {claimTimeout.TotalSeconds:0.#} s");
        }
        catch (CredentialsNotFoundException)
        {
            reason = "no credentials to sign with";
        }

        local.Forget(keyId, signature, signedAt);
        LogUnavailable(logger, Describe(store), keyId, reason);
        return ReplayVerdict.Unavailable;
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Warning,
        Message = "The webhook's shared replay memory {Store} could not record a signature of key {KeyId} ({Reason}): the request was refused with 503 and nothing was done")]
    private static partial void LogUnavailable(ILogger logger, string store, string keyId, string reason);
}
