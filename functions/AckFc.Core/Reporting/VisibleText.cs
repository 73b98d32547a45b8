using System.Globalization;
using System.Text;

namespace AckFc.Core.Reporting;

/// <summary>
/// Makes the characters that hide or reorder text visible before untrusted text (names, messages, ids from the cloud)
/// reaches a report or a chat: control characters (NUL, BEL, ESC, DEL, C1), format characters (the bidi overrides and
/// isolates U+202A–U+202E and U+2066–U+2069, marks such as U+200E, zero-width U+200B–U+200D, U+2060, U+FEFF, tag
/// characters) and the line and paragraph separators U+2028 / U+2029. Each becomes <c>{U+XXXX}</c>, plain ASCII that
/// no format interprets; a lone surrogate becomes <c>{U+FFFD}</c>. Tab, CR and LF are left to the format, which
/// flattens or quotes them.
/// </summary>
internal static class VisibleText
{
    /// <summary>The text with every hidden or reordering character spelled out; the same instance when there is none.</summary>
    public static string Of(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        // Printable ASCII, tab, CR and LF need nothing: hand the text back (ids, regions, rule ids).
        var span = text.AsSpan();
        if (!NeedsWork(span))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length + 16);
        var index = 0;
        while (index < span.Length)
        {
            if (Rune.DecodeFromUtf16(span[index..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                builder.Append("{U+FFFD}");
                index += Math.Max(1, consumed);
                continue;
            }

            if (IsHidden(rune))
            {
                builder.Append("{U+").Append(rune.Value.ToString(rune.Value > 0xFFFF ? "X5" : "X4", CultureInfo.InvariantCulture)).Append('}');
            }
            else
            {
                builder.Append(span.Slice(index, consumed));
            }

            index += consumed;
        }

        return builder.ToString();
    }

    /// <summary>
    /// Untrusted text for a chat message: <see cref="Of"/>, then URLs defanged (<c>https[:]//</c>, <c>www[.]</c>) so no
    /// client turns them into links, and broadcast mentions (<c>@channel</c>, <c>@here</c>, <c>@everyone</c>,
    /// <c>@all</c>) written with a full-width at sign so none pings a room.
    /// </summary>
    public static string ForChat(string? text)
    {
        var visible = Of(text);
        if (visible.AsSpan().IndexOfAny("@:wW") < 0)
        {
            return visible;
        }

        var builder = new StringBuilder(visible.Length + 8);
        for (var i = 0; i < visible.Length; i++)
        {
            var rest = visible.AsSpan(i);
            if (rest.StartsWith("://", StringComparison.Ordinal))
            {
                builder.Append("[:]//");
                i += 2;
            }
            else if (rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase))
            {
                builder.Append(rest[..3]).Append("[.]");
                i += 3;
            }
            else if (visible[i] == '@' && IsBroadcast(rest[1..]))
            {
                builder.Append('\uFF20');
            }
            else
            {
                builder.Append(visible[i]);
            }
        }

        return builder.ToString();
    }

    private static readonly string[] Broadcast = ["channel", "here", "everyone", "all"];

    private static bool IsBroadcast(ReadOnlySpan<char> afterAt)
    {
        foreach (var name in Broadcast)
        {
            if (afterAt.StartsWith(name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True for a character <see cref="Of"/> spells out.</summary>
    public static bool IsHidden(Rune rune) => rune.Value is not ('\t' or '\n' or '\r') && Rune.GetUnicodeCategory(rune) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
        or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse;

    /// <summary>True when <paramref name="text"/> holds a character that <see cref="Of"/> would spell out (tests, checks).</summary>
    public static bool ContainsHidden(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var span = text.AsSpan();
        var index = 0;
        while (index < span.Length)
        {
            if (Rune.DecodeFromUtf16(span[index..], out var rune, out var consumed) != System.Buffers.OperationStatus.Done || IsHidden(rune))
            {
                return true;
            }

            index += consumed;
        }

        return false;
    }

    private static bool NeedsWork(ReadOnlySpan<char> span)
    {
        foreach (var c in span)
        {
            if (c is < ' ' and not ('\t' or '\n' or '\r') || c > '~')
            {
                return true;
            }
        }

        return false;
    }
}
