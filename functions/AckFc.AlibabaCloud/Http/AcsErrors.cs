using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace AckFc.AlibabaCloud.Http;

/// <summary>Code, message and request id read from an error answer.</summary>
internal readonly record struct AcsErrorBody(string Code, string Message, string? RequestId);

/// <summary>Turns error answers into <see cref="AlibabaCloudException"/>s and classifies them.</summary>
internal static class AcsErrors
{
    public const string RequestIdHeader = "x-acs-request-id";
    public const string RetryAfterHeader = "x-acs-retry-after";
    public const string InvalidResponseCode = "InvalidResponse";
    public const string TimeoutCode = "Timeout";
    public const string ConnectionFailedCode = "ConnectionFailed";
    public const string ClientRateLimitedCode = "ClientRateLimited";

    private const int SnippetBytes = 200;

    public static AlibabaCloudErrorKind Classify(int? status, string code)
    {
        if (code.Contains("Throttling", StringComparison.OrdinalIgnoreCase) || status == 429)
        {
            return AlibabaCloudErrorKind.Throttling;
        }

        if (status >= 500)
        {
            return AlibabaCloudErrorKind.Transient;
        }

        // An unknown access key is a credentials problem, not a missing resource: calling it "not found" would
        // make a sweep report every key as deleted.
        if (code.StartsWith("InvalidAccessKeyId", StringComparison.Ordinal))
        {
            return AlibabaCloudErrorKind.ClientError;
        }

        // STS names a missing role EntityNotExist.Role; the status it comes with is not documented.
        if (status == 404 || code.EndsWith("NotFound", StringComparison.Ordinal) ||
            code.StartsWith("EntityNotExist", StringComparison.Ordinal))
        {
            return AlibabaCloudErrorKind.NotFound;
        }

        return status == 409 ? AlibabaCloudErrorKind.Conflict : AlibabaCloudErrorKind.ClientError;
    }

    public static AlibabaCloudException FromResponse(
        string action, int status, HttpResponseHeaders headers, MediaTypeHeaderValue? contentType, ReadOnlySpan<byte> body)
    {
        var error = Parse(status, contentType?.MediaType, body);
        return new AlibabaCloudException(
            Classify(status, error.Code), error.Code, error.Message, status, error.RequestId ?? Header(headers, RequestIdHeader), action)
        {
            RetryAfterMilliseconds = RetryAfterMilliseconds(headers),
        };
    }

    public static int? RetryAfterMilliseconds(HttpResponseHeaders headers) =>
        Header(headers, RetryAfterHeader) is { } value &&
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var ms) ? ms : null;

    public static string? Header(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) : null;

    /// <summary>Reads a JSON or XML error body; anything else still yields a code and a readable message.</summary>
    public static AcsErrorBody Parse(int status, string? mediaType, ReadOnlySpan<byte> body)
    {
        var trimmed = TrimStart(body);
        if (trimmed.Length > 0 && trimmed[0] == (byte)'{' && TryParseJson(trimmed) is { } json)
        {
            return json;
        }

        if (trimmed.Length > 0 && trimmed[0] == (byte)'<' && TryParseXml(trimmed) is { } xml)
        {
            return xml;
        }

        var code = "Http" + status.ToString(CultureInfo.InvariantCulture);
        var message = trimmed.Length == 0
            ? $"HTTP {status} with an empty body."
            : $"HTTP {status} with an unrecognised body ({mediaType ?? "no content type"}, {body.Length} bytes): {Snippet(trimmed)}";
        return new AcsErrorBody(code, message, null);
    }

    /// <summary>The first bytes of a body as safe single-line text.</summary>
    public static string Snippet(ReadOnlySpan<byte> body)
    {
        var cut = body.Length > SnippetBytes;
        var text = Encoding.UTF8.GetString(cut ? body[..SnippetBytes] : body);
        var builder = new StringBuilder(text.Length + 1);
        var lastWasSpace = false;
        foreach (var ch in text)
        {
            var safe = char.IsControl(ch) || char.IsWhiteSpace(ch) ? ' ' : ch == '\uFFFD' ? '?' : ch;
            if (safe == ' ' && lastWasSpace)
            {
                continue;
            }

            lastWasSpace = safe == ' ';
            builder.Append(safe);
        }

        return builder.ToString().Trim() + (cut ? "…" : string.Empty);
    }

    private static AcsErrorBody? TryParseJson(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var code = Text(root, "Code", "code");
            if (code is null)
            {
                return null;
            }

            return new AcsErrorBody(code, Text(root, "Message", "message") ?? string.Empty, Text(root, "RequestId", "requestId"));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string pascal, string camel)
    {
        foreach (var name in (ReadOnlySpan<string>)[pascal, camel])
        {
            if (root.TryGetProperty(name, out var value))
            {
                var text = value.ValueKind switch
                {
                    JsonValueKind.String => value.GetString(),
                    JsonValueKind.Number => value.GetRawText(),
                    _ => null,
                };
                if (!string.IsNullOrEmpty(text))
                {
                    return text;
                }
            }
        }

        return null;
    }

    private static AcsErrorBody? TryParseXml(ReadOnlySpan<byte> body)
    {
        try
        {
            using var stream = new MemoryStream(body.ToArray(), writable: false);
            using var reader = XmlReader.Create(stream, new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                IgnoreComments = true,
            });
            string? code = null, message = null, requestId = null;
            reader.MoveToContent();
            while (!reader.EOF)
            {
                // ReadElementContentAsString already moves past the element; reading again would skip its sibling.
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 1 &&
                    reader.LocalName is "Code" or "Message" or "RequestId")
                {
                    var name = reader.LocalName;
                    var text = reader.ReadElementContentAsString().Trim();
                    switch (name)
                    {
                        case "Code": code = text; break;
                        case "Message": message = text; break;
                        default: requestId = text; break;
                    }
                }
                else
                {
                    reader.Read();
                }
            }

            return string.IsNullOrEmpty(code)
                ? null
                : new AcsErrorBody(code, message ?? string.Empty, string.IsNullOrEmpty(requestId) ? null : requestId);
        }
        catch (XmlException)
        {
            return null;
        }
    }

    private static ReadOnlySpan<byte> TrimStart(ReadOnlySpan<byte> body)
    {
        if (body.StartsWith("\uFEFF"u8))
        {
            body = body[3..];
        }

        var i = 0;
        while (i < body.Length && body[i] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            i++;
        }

        return body[i..];
    }
}
