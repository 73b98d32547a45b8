using System.Text.Json;

namespace AckFc.Functions;

/// <summary>The webhook's <c>PUT /clusters/{id}/kms</c> body: ACK's own plus <c>dry_run</c> and <c>reason</c>.</summary>
public sealed record KmsChangeBody(string? KmsKeyId, bool DisableEncryption, bool DryRun, string? Reason)
{
    public const int MaxReasonLength = 1024;

    /// <summary>Strict: unknown fields, wrong types and bad values are errors naming the field.</summary>
    public static KmsChangeBody Parse(ReadOnlySpan<byte> body)
    {
        string? key = null, reason = null;
        bool disable = false, dryRun = false;
        StrictJson.ReadObject(body, "body", (string name, ref Utf8JsonReader reader) =>
        {
            switch (name)
            {
                case "kms_key_id": key = StrictJson.StringOrNull(ref reader, name); break;
                case "disable_encryption": disable = StrictJson.Bool(ref reader, name); break;
                case "dry_run": dryRun = StrictJson.Bool(ref reader, name); break;
                case "reason":
                    reason = StrictJson.StringOrNull(ref reader, name);
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
}
