using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Signatures;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace AckFc.Functions;

/// <summary>
/// The webhook's signing keys read from a KMS Secrets Manager secret (<c>ACKFC_WEBHOOK_SECRET_NAME</c>, text
/// <c>keyId:secret,…</c>) with the function's role, instead of a plaintext environment variable that anyone with
/// <c>fc:GetFunction</c> can read. The first signed call of an instance reads the secret; later calls re-read it once
/// it is older than <see cref="RefreshInterval"/>, so a rotated secret takes effect within minutes without a redeploy.
/// </summary>
/// <remarks>
/// Failure rule: while no keys could ever be read, signed calls are refused with 503 (and one Error line per attempt
/// naming the secret, the cloud's code and request id); <c>/healthz</c> keeps answering. A failed re-read keeps the
/// keys already read (a Warning line), so a KMS hiccup never locks callers out. No value ever reaches a log line or an
/// answer: errors name the secret and entry positions only.
/// </remarks>
public sealed partial class WebhookKeySource(string secretName, string regionId, TimeProvider time, ILogger<WebhookKeySource> logger) : IDisposable
{
    public const string SecretNameVariable = "ACKFC_WEBHOOK_SECRET_NAME";

    /// <summary>How old the keys may get before a signed call re-reads the secret.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);

    /// <summary>After a failed first read, calls inside this pause are refused without asking KMS again.</summary>
    public static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(5);

    /// <summary>One read may take this long; the webhook's own budget is the rest.</summary>
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

    private readonly SemaphoreSlim gate = new(1, 1);
    private volatile Snapshot? snapshot;
    private volatile string? problem = $"The webhook keys have not been read from KMS secret '{secretName}' yet.";
    private long lastFailureTicks;

    public string SecretName { get; } = secretName;

    public string RegionId { get; } = regionId;

    /// <summary>Key id to secret, as last read; empty until a read succeeded.</summary>
    public IReadOnlyDictionary<string, string> Current => snapshot?.Keys ?? None;

    /// <summary>Why signed calls are refused (503) now; null once keys were read.</summary>
    public string? Problem => snapshot is null ? problem : null;

    /// <summary>The secret's version the keys came from.</summary>
    public string? VersionId => snapshot?.VersionId;

    /// <summary>The source named by <c>ACKFC_WEBHOOK_SECRET_NAME</c>, or null when it is not set (the environment variable is used).</summary>
    public static WebhookKeySource? FromConfiguration(IConfiguration configuration, TimeProvider time, ILogger<WebhookKeySource> logger)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = configuration[SecretNameVariable]?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            return null;
        }

        if (name.Length > 192 || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '_' or '+' or '=' or '.' or '@' or '-'))
        {
            throw Setting.Invalid(SecretNameVariable,
                $"{SecretNameVariable} must be a KMS secret name (1-192 of letters, digits and / _ + = . @ -), not '{name}'.");
        }

        var region = configuration["FC_REGION"]?.Trim();
        if (string.IsNullOrEmpty(region))
        {
            region = configuration["ACKFC_REGIONS"]?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault();
        }

        if (string.IsNullOrEmpty(region))
        {
            throw Setting.Invalid(SecretNameVariable, $"{SecretNameVariable} needs a region to read the secret in: set FC_REGION or ACKFC_REGIONS.");
        }

        return new WebhookKeySource(name, region, time, logger);
    }

    /// <summary>Reads the secret when no keys were read yet, or when they are older than <see cref="RefreshInterval"/>.</summary>
    public async Task RefreshIfDueAsync(IKmsClient kms, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(kms);
        var now = time.GetUtcNow();
        var current = snapshot;
        if (current is not null && now - current.ReadAt < RefreshInterval)
        {
            return;
        }

        if (current is null && now.UtcTicks - Interlocked.Read(ref lastFailureTicks) < RetryPause.Ticks)
        {
            return;
        }

        // One reader at a time; with keys in hand the others go on with them instead of waiting.
        if (!await gate.WaitAsync(current is null ? ReadTimeout : TimeSpan.Zero, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        try
        {
            current = snapshot;
            if (current is not null && time.GetUtcNow() - current.ReadAt < RefreshInterval)
            {
                return;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(ReadTimeout);
            string why;
            try
            {
                var value = await kms.GetSecretValueAsync(RegionId, SecretName, timeout.Token).ConfigureAwait(false);
                var keys = Parse(value.SecretData);
                snapshot = new Snapshot(keys, time.GetUtcNow(), value.VersionId);
                problem = null;
                LogRead(logger, SecretName, RegionId, value.VersionId, keys.Count);
                return;
            }
            catch (AlibabaCloudException e)
            {
                why = $"{e.Code}, HTTP {e.StatusCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}, request id {e.RequestId ?? "-"}";
            }
            catch (InvalidOperationException e)
            {
                why = e.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                why = $"no answer within {ReadTimeout.TotalSeconds:0} s";
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Named by type only: its text is not known to be secret-free. (The credential chain's errors are
                // InvalidOperationException and keep their message.)
                why = e.GetType().Name;
            }

            if (snapshot is { } kept)
            {
                LogRefreshFailed(logger, SecretName, RegionId, why, kept.VersionId);
            }
            else
            {
                Interlocked.Exchange(ref lastFailureTicks, time.GetUtcNow().UtcTicks);
                problem = $"The webhook keys could not be read from KMS secret '{SecretName}' in {RegionId} ({SecretNameVariable}): {why}. Signed calls are refused until it can be read.";
                LogReadFailed(logger, SecretName, RegionId, why);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>The secret's text, <c>keyId:secret,…</c>, with the rules of <c>ACKFC_WEBHOOK_SECRETS</c>.</summary>
    internal static IReadOnlyDictionary<string, string> Parse(string secretData)
    {
        // The parser names entry positions and key ids, never a secret.
        if (!SigningKey.TryParseList(secretData, out var keys, out var error))
        {
            throw new InvalidOperationException($"the secret's text is not keyId:secret,… ({error})");
        }

        return keys.Count > 0 ? keys : throw new InvalidOperationException("it holds no keyId:secret entry");
    }

    public void Dispose() => gate.Dispose();

    private sealed record Snapshot(IReadOnlyDictionary<string, string> Keys, DateTimeOffset ReadAt, string? VersionId);

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Webhook keys read from KMS secret {SecretName} in {RegionId} (version {VersionId}): {Count} key ids")]
    private static partial void LogRead(ILogger logger, string secretName, string regionId, string? versionId, int count);

    [LoggerMessage(EventId = 41, Level = LogLevel.Error, Message = "Webhook keys could not be read from KMS secret {SecretName} in {RegionId}: {Why}. Signed calls are refused with 503")]
    private static partial void LogReadFailed(ILogger logger, string secretName, string regionId, string why);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "Re-reading KMS secret {SecretName} in {RegionId} failed: {Why}. The keys of version {VersionId} stay in use")]
    private static partial void LogRefreshFailed(ILogger logger, string secretName, string regionId, string why, string? versionId);
}
