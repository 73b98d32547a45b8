namespace AckFc.Core.Reporting;

/// <summary>Source-generated JSON of what reporting stores besides the report itself (AOT-safe).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ReportSetState))]
[JsonSerializable(typeof(SetSummary))]
internal sealed partial class ReportingJsonContext : JsonSerializerContext;
