using System.Runtime.CompilerServices;
using System.Text;
using AckFc.AlibabaCloud.Cs;
using AckFc.AlibabaCloud.Kms;
using AckFc.Core.Encryption;
using AckFc.Core.Policy;

namespace AckFc.Core.Tests.TestDoubles;

internal static class Fakes
{
    public static readonly DateTimeOffset Now = new(2026, 11, 28, 3, 0, 0, TimeSpan.Zero);

    public static AckCluster Cluster(string id, string region, string? key, string spec = "ack.pro.small", string state = "running",
        Dictionary<string, string>? tags = null, DateTimeOffset? updated = null) =>
        new(id, id, region, state, "ManagedKubernetes", spec, "Default", tags ?? [],
            key is null ? ClusterEncryption.Off : ClusterEncryption.On(key), updated ?? Now.AddDays(-30));

    public static KmsKeyMetadata Key(string id, string region, string state = "Enabled", bool protection = true, string rotation = "Enabled",
        string spec = "Aliyun_AES_256", DateTimeOffset? deleteDate = null) => new()
    {
        KeyId = id,
        Arn = $"acs:kms:{region}:1234567890:key/{id}",
        KeyState = state,
        KeySpec = spec,
        KeyUsage = "ENCRYPT/DECRYPT",
        Origin = "Aliyun_KMS",
        ProtectionLevel = "SOFTWARE",
        DeletionProtection = protection,
        AutomaticRotation = rotation,
        DeleteDate = deleteDate,
    };

    public static LoadedPolicy PolicyOf(string yaml) => PolicyLoader.Parse(Encoding.UTF8.GetBytes(yaml), "test-policy.yaml");

    public static async IAsyncEnumerable<T> Failing<T>(Exception error)
    {
        await Task.Yield();
        if (error is not null)
        {
            throw error;
        }

        yield break;
    }

    public static async IAsyncEnumerable<T> Stream<T>(IEnumerable<T> items, [EnumeratorCancellation] CancellationToken token = default)
    {
        foreach (var item in items)
        {
            token.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return item;
        }
    }
}

internal sealed class RecordingAuditSink : IAuditSink
{
    public List<AuditRecord> Records { get; } = [];

    public ValueTask WriteAsync(AuditRecord record, CancellationToken cancellationToken = default)
    {
        lock (Records)
        {
            Records.Add(record);
        }

        return ValueTask.CompletedTask;
    }
}
