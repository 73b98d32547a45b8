using System.Text.Json;
using System.Text.RegularExpressions;
using AckFc.AlibabaCloud;
using AckFc.Core.Compliance;
using AckFc.Core.Encryption;

namespace AckFc.Functions;

/// <summary>A request body that breaks the contract; <see cref="Field"/> names the culprit (RFC 9457 answer).</summary>
public sealed class BadRequestException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>The webhook's <c>PUT /clusters/{id}/kms</c> body: ACK's own plus <c>dry_run</c> and <c>reason</c>.</summary>
public sealed record KmsChangeBody(string? KmsKeyId, bool DisableEncryption, bool DryRun, string? Reason);

/// <summary>The sweep payload of the timer (contracts §3) and of <c>POST /sweeps</c>.</summary>
public sealed record SweepPayload(SweepMode Mode, IReadOnlyList<string>? Regions);

/// <summary>Strict readers: unknown fields, wrong types and bad values are errors naming the field.</summary>
public static partial class Payloads
{
    public const int MaxReasonLength = 1024;

    /// <summary>ACK cluster ids: <c>c</c> followed by 6–64 lowercase letters, digits or dashes, matched whole (no trailing newline).</summary>
    public static bool IsClusterId(string value) => ClusterIdPattern().IsMatch(value);

    public static KmsChangeBody ParseKmsChange(ReadOnlySpan<byte> body)
    {
        string? key = null, reason = null;
        bool disable = false, dryRun = false;
        ReadObject(body, "body", (string name, ref Utf8JsonReader reader) =>
        {
            switch (name)
            {
                case "kms_key_id": key = StringOrNull(ref reader, name); break;
                case "disable_encryption": disable = Bool(ref reader, name); break;
                case "dry_run": dryRun = Bool(ref reader, name); break;
                case "reason":
                    reason = StringOrNull(ref reader, name);
                    if (reason is { Length: > MaxReasonLength })
                    {
                        throw new BadRequestException(name, $"reason is longer than {MaxReasonLength} characters.");
                    }

                    break;
                default: throw new BadRequestException(name, $"Unknown field '{name}': the body takes kms_key_id, disable_encryption, dry_run and reason.");
            }
        });
        if (disable && key is not null)
        {
            // Which one is meant? Never drop the key silently and disable.
            throw new BadRequestException("kms_key_id", "Ambiguous request: kms_key_id together with disable_encryption true; send a key to encrypt with, or disable_encryption true without a key.");
        }

        if (!disable && string.IsNullOrWhiteSpace(key))
        {
            throw new BadRequestException("kms_key_id", "kms_key_id is required unless disable_encryption is true.");
        }

        if (key is { Length: > 256 } || key?.Any(char.IsControl) == true)
        {
            throw new BadRequestException("kms_key_id", "kms_key_id is not a key id, alias or ARN.");
        }

        return new KmsChangeBody(disable ? null : key, disable, dryRun, reason);
    }


    /// <summary>

    /// A sweep covers only the configured regions (<c>ACKFC_REGIONS</c>): a region named in a request or a timer payload

    /// that is not one of them is refused, naming the field, so neither the webhook nor a timer acts outside the scope.

    /// </summary>

    public static void RequireConfiguredRegions(SweepPayload payload, IReadOnlyList<string> configured, string field = "regions")

    {

        foreach (var region in payload.Regions ?? [])

        {

            if (!configured.Contains(region, StringComparer.Ordinal))

            {

                throw new BadRequestException(field, $"'{region}' is not one of the configured regions ({string.Join(", ", configured)}, from ACKFC_REGIONS): a sweep covers only those.");

            }

        }

    }


    /// <summary>Empty means <c>{"mode":"report"}</c>.</summary>
    public static SweepPayload ParseSweep(ReadOnlySpan<byte> body, string what = "payload")
    {
        if (body.IsEmpty || body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new SweepPayload(SweepMode.Report, null);
        }

        var mode = SweepMode.Report;
        List<string>? regions = null;
        ReadObject(body, what, (string name, ref Utf8JsonReader reader) =>
        {
            switch (name)
            {
                case "mode":
                    mode = StringOrNull(ref reader, name) switch
                    {
                        "report" => SweepMode.Report,
                        "remediate" => SweepMode.Remediate,
                        var other => throw new BadRequestException(name, $"mode must be report or remediate, not '{other}'."),
                    };
                    break;
                case "regions":
                    if (reader.TokenType != JsonTokenType.StartArray)
                    {
                        throw new BadRequestException(name, "regions must be a list of region ids.");
                    }

                    regions = [];
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        var region = reader.TokenType == JsonTokenType.String ? Text(ref reader, name) : throw new BadRequestException(name, "regions must be a list of strings.");
                        if (!AlibabaCloudRegion.IsValid(region))
                        {
                            throw new BadRequestException(name, $"'{region}' is not a region id such as cn-hangzhou.");
                        }

                        regions.Add(region);
                    }

                    break;
                default: throw new BadRequestException(name, $"Unknown field '{name}': a sweep takes mode and regions.");
            }
        });
        return new SweepPayload(mode, regions);
    }

    private delegate void FieldReader(string name, ref Utf8JsonReader reader);

    private static void ReadObject(ReadOnlySpan<byte> body, string what, FieldReader read)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 8 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new BadRequestException(what, $"The {what} must be a JSON object.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var name = Text(ref reader, what, "A field name");
                if (!seen.Add(name))
                {
                    throw new BadRequestException(name, $"Field '{name}' appears twice.");
                }

                reader.Read();
                read(name, ref reader);
            }

            if (reader.Read())
            {
                throw new BadRequestException(what, $"The {what} has content after its JSON object.");
            }
        }
        catch (JsonException e)
        {
            throw new BadRequestException(what, $"The {what} is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).");
        }
    }

    /// <summary>
    /// The string at the reader. A lone UTF-16 surrogate (<c>"\ud800"</c>) or bytes that are not UTF-8 are refused
    /// naming the field: the reader validates them only when the text is read, and throws InvalidOperationException.
    /// </summary>
    private static string Text(ref Utf8JsonReader reader, string field, string? what = null)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw new BadRequestException(field, $"{what ?? field} is not valid text: invalid UTF-8, or a lone UTF-16 surrogate.");
        }
    }

    private static string? StringOrNull(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.String => Text(ref reader, name),
        JsonTokenType.Null => null,
        _ => throw new BadRequestException(name, $"{name} must be a string."),
    };

    private static bool Bool(ref Utf8JsonReader reader, string name) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw new BadRequestException(name, $"{name} must be true or false."),
    };

    // \A…\z: '$' would also match before a final '\n', letting "c-demo%0A" through to the cloud, the logs and the answer.
    [GeneratedRegex(@"\Ac[0-9a-z-]{6,64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex ClusterIdPattern();
}
