namespace AckFc.Core.Compliance;

/// <summary>Source-generated JSON for the report (camelCase, enums as their contract names, AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(ComplianceReport))]
public sealed partial class ReportJsonContext : JsonSerializerContext;
