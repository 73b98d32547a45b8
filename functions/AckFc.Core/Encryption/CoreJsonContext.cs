using AckFc.Core.Judging;

namespace AckFc.Core.Encryption;

/// <summary>Source-generated JSON for Core's own records.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AuditRecord))]
[JsonSerializable(typeof(Decision))]
[JsonSerializable(typeof(EncryptionChangeResult))]
[JsonSerializable(typeof(ClusterKmsStatus))]
public sealed partial class CoreJsonContext : JsonSerializerContext;
