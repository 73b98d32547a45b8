using System.Text.Json.Serialization;

namespace AckFc.Worker;

/// <summary>What Function Compute reads from a failed event invocation.</summary>
internal sealed record EventError(string ErrorMessage, string ErrorType);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(EventError))]
[JsonSerializable(typeof(ProblemBody))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext;
